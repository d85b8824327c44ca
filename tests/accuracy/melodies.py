#!/usr/bin/env -S /usr/bin/python3
"""Seeded random monophonic melodies, rendered with FluidSynth, with frame-level truth.

Used by test_rendered_melodies.py (accuracy) and bench/core_speed.sh (a long input):
    /usr/bin/python3 tests/accuracy/melodies.py --long SECONDS OUT.wav
"""
import argparse
import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np
import soundfile as sf
from scipy.signal import find_peaks

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
SAMPLE_RATE = 44100
HOP = 0.01  # seconds; the CLI's default frame hop
GAIN = 0.5  # FluidSynth master gain; 0.5 keeps every patch below full scale
LEAD_IN = 0.3  # seconds of silence before the first note
TAIL = 0.6  # seconds rendered after the last note-off (release tails)

# Note-on to first audible sample, measured on FluidR3_GM at 44.1 kHz (piano, guitar,
# violin, flute, trumpet, choir): 1.9-3.4 ms. FluidSynth applies MIDI events once per
# 64-sample block (1.45 ms), which is the spread. Small next to the 10 ms hop, but the
# truth is shifted by it so onset frames are not judged early.
FLUIDSYNTH_LATENCY = 0.0025

# 1 tick = 1 ms: ticks_per_beat 1000 at 1 s per beat, so note times need no tempo maths.
TICKS_PER_BEAT = 1000
TEMPO_US = 1_000_000


@dataclass(frozen=True)
class Instrument:
    program: int  # General MIDI program, 0-based
    low: int  # lowest MIDI note used: stays in the instrument's natural range
    high: int


# Ranges stay inside both the real instrument and the tracker's 40-2000 Hz default band.
INSTRUMENTS = {
    "piano": Instrument(0, 45, 84),
    "steel_guitar": Instrument(25, 40, 76),
    "violin": Instrument(40, 55, 91),
    "flute": Instrument(73, 60, 93),
    "trumpet": Instrument(56, 55, 82),
    "choir_aahs": Instrument(52, 48, 74),
}


@dataclass(frozen=True)
class Note:
    start: float  # seconds (the MIDI note-on time, before FluidSynth latency)
    end: float
    midi: int
    velocity: int = 96


def midi_to_hz(midi):
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69.0) / 12.0)


def random_melody(seed, duration, low, high):
    """Notes of 0.15-0.8 s with steps, leaps, repeated notes and rests, for `duration` s."""
    rng = random.Random(seed)
    notes = []
    t = LEAD_IN
    pitch = rng.randint(low + (high - low) // 4, high - (high - low) // 4)
    while True:
        length = round(rng.uniform(0.15, 0.8), 3)
        if t + length > duration:
            break
        notes.append(Note(t, round(t + length, 3), pitch, rng.randint(70, 115)))
        t = round(t + length, 3)
        if rng.random() < 0.25:  # a rest
            t = round(t + rng.uniform(0.1, 0.5), 3)
        kind = rng.random()
        if kind < 0.15:
            step = 0  # repeated note: the tracker must not merge or drop it
        elif kind < 0.75:
            step = rng.choice([-2, -1, 1, 2, -3, 3])
        else:
            step = rng.choice([-1, 1]) * rng.randint(5, 12)  # a leap up to an octave
        pitch += step
        if pitch < low or pitch > high:  # reflect back into range
            pitch -= 2 * step
        pitch = min(max(pitch, low), high)
    return notes


def write_midi(notes, program, path):
    mid = mido.MidiFile(ticks_per_beat=TICKS_PER_BEAT)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=TEMPO_US, time=0))
    track.append(mido.Message("program_change", program=program, time=0))
    events = []  # (tick, order, message); note-offs sort before note-ons at the same tick
    for n in notes:
        events.append((round(n.start * 1000), 1, mido.Message("note_on", note=n.midi, velocity=n.velocity)))
        events.append((round(n.end * 1000), 0, mido.Message("note_off", note=n.midi, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    now = 0
    for tick, _, msg in events:
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=round(TAIL * 1000)))
    mid.save(str(path))


def render(midi_path, wav_path, sample_rate=SAMPLE_RATE, gain=GAIN):
    """Offline render. Reverb and chorus off: deterministic, and no wet tail smearing pitch."""
    subprocess.run(
        ["fluidsynth", "-n", "-i", "-q", "-R", "0", "-C", "0", "-g", str(gain),
         "-r", str(sample_rate), "-F", str(wav_path), SOUNDFONT, str(midi_path)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def frame_truth(notes, n_frames, hop=HOP, latency=FLUIDSYNTH_LATENCY):
    """Frame centres t = i*hop and the sounding f0 (Hz, 0 in rests) from note-on to note-off."""
    times = np.arange(n_frames) * hop
    freqs = np.zeros(n_frames)
    for n in notes:
        on = (times >= n.start + latency) & (times < n.end + latency)
        freqs[on] = midi_to_hz(n.midi)
    return times, freqs


def render_melody(notes, program, wav_path):
    """Renders `notes` to `wav_path`; returns (times, f0) truth covering the whole file."""
    wav_path = Path(wav_path)
    midi_path = wav_path.with_suffix(".mid")
    write_midi(notes, program, midi_path)
    render(midi_path, wav_path)
    frames = sf.info(str(wav_path)).frames
    n_frames = int((frames - 1) // round(HOP * SAMPLE_RATE)) + 1
    return frame_truth(notes, n_frames)


def measure_patch_pitch(program, midi, workdir, seconds=1.5):
    """The fundamental a patch really sounds for `midi`, from one long FFT of a held note.

    f0 is the highest candidate (within 1.5 octaves of nominal) whose harmonics explain the
    spectral peaks: independent of autocorrelation, right for missing fundamentals (sax,
    choir low notes) and weak even harmonics (clarinet), and an octave-off sample shows up
    as +-1200 cents. It is refined to the energy-weighted mean of the first harmonics, which
    averages over vibrato and detuned sample layers.
    """
    wav = Path(workdir) / f"patch_{program}_{midi}.wav"
    render_melody([Note(0.1, 0.1 + seconds, midi, 100)], program, wav)
    x, sr = sf.read(str(wav))
    x = x.mean(axis=1) if x.ndim == 2 else x
    seg = x[int(0.3 * sr):int((0.1 + seconds) * sr)]  # skip the attack transient
    n_fft = 1 << 18  # 0.17 Hz bins at 44.1 kHz
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), n_fft))
    bin_hz = sr / n_fft
    lo_bin, hi_bin = int(25 / bin_hz), int(5000 / bin_hz)
    peaks, _ = find_peaks(spec[lo_bin:hi_bin], height=spec[lo_bin:hi_bin].max() * 10 ** (-30 / 20))
    peaks = peaks[np.argsort(-spec[lo_bin + peaks])][:30] + lo_bin
    peak_hz = peaks * bin_hz
    # Weight = dB above the floor: a loud 2nd harmonic (low guitar strings) must not let
    # the octave above win by explaining most of the *energy* alone.
    weight = 20 * np.log10(spec[peaks] / spec[lo_bin:hi_bin].max()) + 30

    nominal = float(midi_to_hz(midi))
    grid = nominal * 2.0 ** (np.arange(-1.5, 1.5, 1 / 96))  # eighth-semitone steps
    explained = []
    for f in grid:
        k = np.maximum(np.round(peak_hz / f), 1)
        near = np.abs(1200 * np.log2(peak_hz / (k * f))) < 30
        explained.append(weight[near].sum())
    explained = np.array(explained)
    f0 = grid[np.flatnonzero(explained >= 0.85 * explained.max())[-1]]

    num = den = 0.0
    for k in range(1, 5):  # energy-weighted mean frequency of each harmonic, divided by k
        lo, hi = int(k * f0 * 0.97 / bin_hz), int(k * f0 * 1.03 / bin_hz) + 1
        power = spec[lo:hi] ** 2
        num += (power * np.arange(lo, hi) * bin_hz / k).sum()
        den += power.sum()
    return num / den


def cents(f, ref):
    return 1200.0 * np.log2(f / ref)


def render_long(out_wav, seconds, seed=2024):
    """A long stereo file: seeded melodies cycling through INSTRUMENTS until `seconds` long."""
    with tempfile.TemporaryDirectory() as tmp:
        parts, total, i = [], 0, 0
        names = list(INSTRUMENTS)
        while total < seconds * SAMPLE_RATE:
            inst = INSTRUMENTS[names[i % len(names)]]
            wav = Path(tmp) / f"part{i}.wav"
            render_melody(random_melody(seed + i, 60.0, inst.low, inst.high), inst.program, wav)
            x, _ = sf.read(str(wav), dtype="int16")
            parts.append(x)
            total += len(x)
            i += 1
        audio = np.concatenate(parts)[: int(seconds * SAMPLE_RATE)]
        sf.write(str(out_wav), audio, SAMPLE_RATE, subtype="PCM_16")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--long", type=float, metavar="SECONDS", required=True,
                    help="render a long multi-instrument stereo wav of this length")
    ap.add_argument("out", help="output .wav")
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    render_long(args.out, args.long, args.seed)


if __name__ == "__main__":
    main()
