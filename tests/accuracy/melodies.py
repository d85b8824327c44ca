#!/usr/bin/env -S /usr/bin/python3
"""Seeded random monophonic melodies, rendered with FluidSynth, with frame-level truth.

Used by test_rendered_melodies.py (accuracy) and bench/core_speed.sh (a long input):
    /usr/bin/python3 tests/accuracy/melodies.py --long SECONDS OUT.wav
"""
import argparse
import os
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
GAIN = 0.7  # FluidSynth master gain: peaks of these melodies stay around -10 dBFS
LEAD_IN = 0.3  # seconds of silence before the first note
TAIL = 0.6  # seconds kept after the last note-off (release tails)

# Note-on to first audible sample, measured on FluidR3_GM at 44.1 kHz (piano, guitar,
# violin, flute, trumpet, voice; notes at several sub-millisecond offsets): 1.9-3.4 ms.
# FluidSynth applies MIDI events once per 64-sample block (1.45 ms), hence the spread.
# Small next to the 10 ms hop, but the truth is shifted by it so onsets are not early.
FLUIDSYNTH_LATENCY = 0.0025
# Exactly: a MIDI event (on a whole millisecond) takes effect at the start of the first
# 64-sample block that begins at or after it, and is heard one block later (the first
# non-zero sample of a sharp attack, 24 offsets checked at 44.1 kHz; a slow attack's is a few
# samples later still). bench/accuracy's corpus uses this; the constant above is its mean
# (2.2 ms) rounded up.
FLUIDSYNTH_BLOCK = 64


def sounding_time(t, sample_rate=SAMPLE_RATE):
    """When FluidSynth's render makes heard a MIDI event at `t` seconds (array or scalar)."""
    ms = np.round(np.asarray(t, dtype=float) * 1000.0)
    blocks = np.ceil(ms * sample_rate / 1000.0 / FLUIDSYNTH_BLOCK - 1e-9)
    return (blocks + 1) * FLUIDSYNTH_BLOCK / sample_rate

# 1 tick = 1 ms: ticks_per_beat 1000 at 1 s per beat, so note times need no tempo maths.
TICKS_PER_BEAT = 1000
TEMPO_US = 1_000_000


@dataclass(frozen=True)
class Instrument:
    program: int  # General MIDI program, 0-based
    low: int  # MIDI note range used, inside the real instrument's range
    high: int
    damp: bool = False  # shorten the release so notes do not ring under the next one


# Ranges stay inside the real instrument and the tracker's 40-2000 Hz default band, and
# avoid FluidR3 samples measured out of tune (violin above 88 is ~+19 cents). Voice is
# "Voice Oohs" (53): "Choir Aahs" (52) measures up to 37 cents flat (detuned layers).
INSTRUMENTS = {
    "piano": Instrument(0, 45, 84),
    "steel_guitar": Instrument(25, 40, 76, damp=True),
    "violin": Instrument(40, 55, 88),
    "flute": Instrument(73, 60, 93),
    "trumpet": Instrument(56, 55, 82),
    "voice_oohs": Instrument(53, 48, 76),
}

# FluidR3's steel guitar barely reacts to note-off (-16 dB/s), so a "melody" would really be
# chords of ringing strings. SoundFont NRPN (MSB 120, LSB 38 = release of the volume
# envelope; FluidSynth scales data by 2 timecents) of -2000 cuts the release tenfold,
# like a player's finger leaving the fret: -21 dB 0.2 s after note-off.
DAMP_RELEASE_NRPN = -2000


@dataclass(frozen=True)
class Note:
    start: float  # seconds (the MIDI note-on time, before FluidSynth latency)
    end: float
    midi: int
    velocity: int = 96


def midi_to_hz(midi):
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69.0) / 12.0)


def cents(f, ref):
    return 1200.0 * np.log2(np.asarray(f) / np.asarray(ref))


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
            step = rng.choice([-3, -2, -1, 1, 2, 3])
        else:
            step = rng.choice([-1, 1]) * rng.randint(5, 12)  # a leap of up to an octave
        if not low <= pitch + step <= high:  # reflect back into range
            step = -step
        pitch = min(max(pitch + step, low), high)
    return notes


def write_midi(notes, instrument, path):
    mid = mido.MidiFile(ticks_per_beat=TICKS_PER_BEAT)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=TEMPO_US, time=0))
    track.append(mido.Message("program_change", program=instrument.program, time=0))
    if instrument.damp:
        data = 8192 + DAMP_RELEASE_NRPN
        for control, value in [(99, 120), (98, 38), (6, data >> 7), (38, data & 127)]:
            track.append(mido.Message("control_change", control=control, value=value))
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


def render(midi_path, wav_path, sample_rate=SAMPLE_RATE, gain=GAIN, effects=False,
           soundfont=SOUNDFONT):
    """Offline render: reverb and chorus off, so the wet tail does not smear one note's pitch
    into the next; `effects` leaves FluidSynth's default reverb and chorus on (as a plain
    `fluidsynth -F` render has them). Deterministic either way. Writes 16-bit stereo wav."""
    dry = [] if effects else ["-R", "0", "-C", "0"]
    subprocess.run(
        ["fluidsynth", "-n", "-i", "-q", *dry, "-g", str(gain),
         "-r", str(sample_rate), "-F", str(wav_path), soundfont, str(midi_path)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def frame_truth(notes, n_frames, hop=HOP, latency=FLUIDSYNTH_LATENCY):
    """Frame centres t = i*hop and the sounding f0 (Hz, 0 in rests) from note-on to note-off."""
    times = np.arange(n_frames) * hop
    freqs = np.zeros(n_frames)
    for n in notes:
        on = (times >= n.start + latency) & (times < n.end + latency)
        freqs[on] = midi_to_hz(n.midi)
    return times, freqs


def render_melody(notes, instrument, wav_path, soundfont=SOUNDFONT):
    """Renders `notes` to `wav_path`, cut TAIL s after the last note-off (FluidSynth renders
    until every voice is silent). Returns the (times, f0) truth for the whole file."""
    wav_path = Path(wav_path)
    midi_path = wav_path.with_suffix(".mid")
    write_midi(notes, instrument, midi_path)
    render(midi_path, wav_path, soundfont=soundfont)
    audio, sr = sf.read(str(wav_path), dtype="int16")
    keep = int((max(n.end for n in notes) + TAIL) * sr)
    if len(audio) > keep:
        audio = audio[:keep]
        sf.write(str(wav_path), audio, sr, subtype="PCM_16")
    n_frames = (len(audio) - 1) // round(HOP * sr) + 1  # centres up to the last sample
    return frame_truth(notes, n_frames)


def measure_patch_pitches(instrument, midis, workdir, held=1.4, gap=0.6, soundfont=SOUNDFONT):
    """The fundamental (Hz) the patch really sounds for each note in `midis`.

    All notes are rendered held in one file; each gets one long FFT (0.17 Hz bins).
    f0 is the highest candidate within 1.5 octaves of nominal whose harmonics explain the
    spectral peaks: right for missing fundamentals (sax, low choir notes), weak odd or even
    harmonics (clarinet, low guitar strings), and a sample mapped an octave off, or with a
    strong layer an octave under it, shows up as +-1200 cents. It is then refined to the
    energy-weighted mean of harmonics 1-4, which averages over vibrato and detuned sample
    layers.
    """
    midis = list(midis)
    notes = [Note(LEAD_IN + i * (held + gap), LEAD_IN + i * (held + gap) + held, m, 100)
             for i, m in enumerate(midis)]
    wav = Path(workdir) / f"patch_check_{instrument.program}.wav"
    render_melody(notes, instrument, wav, soundfont)
    x, sr = sf.read(str(wav))
    x = x.mean(axis=1)
    # Skip the attack: 0.2 s in, to note-off.
    return [_fundamental(x[int((n.start + 0.2) * sr):int(n.end * sr)], sr, n.midi) for n in notes]


def _fundamental(seg, sr, midi):
    n_fft = 1 << 18
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), n_fft))
    bin_hz = sr / n_fft
    lo_bin, hi_bin = int(25 / bin_hz), int(5000 / bin_hz)
    top = spec[lo_bin:hi_bin].max()
    peaks, _ = find_peaks(spec[lo_bin:hi_bin], height=top * 10 ** (-30 / 20))
    peaks = peaks[np.argsort(-spec[lo_bin + peaks])][:30] + lo_bin
    peak_hz = peaks * bin_hz
    # Weight = dB above the -30 dB floor: with plain energy a loud 2nd harmonic (low guitar
    # strings) would let the octave above win by explaining most energy on its own.
    weight = 20 * np.log10(spec[peaks] / top) + 30
    grid = midi_to_hz(midi) * 2.0 ** np.arange(-1.5, 1.5, 1 / 96)  # eighth-semitone steps
    explained = np.array([
        weight[np.abs(cents(peak_hz, np.maximum(np.round(peak_hz / f), 1) * f)) < 30].sum()
        for f in grid])
    ok = explained >= 0.85 * explained.max()
    # Nor may a strong peak (within 15 dB of the top) lie well under the candidate: an organ's
    # 16' layer an octave under the note (TimGM6mb: -8 dB, weak odd harmonics) is less than
    # 15 % of the weight, but the note then sounds an octave low. (A major third of slack: a
    # detuned or chorused layer smears the fundamental's peak over tens of cents.)
    under = ok & (grid > 1.25 * peak_hz[weight >= 15].min())
    if (ok & ~under).any():
        ok &= ~under
    f0 = grid[np.flatnonzero(ok)[-1]]
    num = den = 0.0
    for k in range(1, 5):
        lo, hi = int(k * f0 * 0.97 / bin_hz), int(k * f0 * 1.03 / bin_hz) + 1
        power = spec[lo:hi] ** 2
        num += (power * np.arange(lo, hi) * bin_hz / k).sum()
        den += power.sum()
    return num / den


def cli_from_env():
    """The CLI under test, from $PITCHSCRIBE; None (after saying why) when it is not runnable."""
    binary = os.environ.get("PITCHSCRIBE", "")
    if not binary or not os.access(binary, os.X_OK):
        print(f"PITCHSCRIBE={binary!r} is not an executable; set it to the pitchscribe CLI")
        return None
    return binary


def work_dir(keep):
    """`keep` (created) when given, else a temporary directory; returns (path, holder): keep
    `holder` alive as long as the files are needed."""
    holder = None if keep else tempfile.TemporaryDirectory()
    path = keep or holder.name
    Path(path).mkdir(parents=True, exist_ok=True)
    return path, holder


def render_long(out_wav, seconds, seed=2024):
    """A long stereo file: one-minute seeded melodies cycling through INSTRUMENTS."""
    with tempfile.TemporaryDirectory() as tmp:
        parts, total, i = [], 0, 0
        names = list(INSTRUMENTS)
        while total < seconds * SAMPLE_RATE:
            inst = INSTRUMENTS[names[i % len(names)]]
            wav = Path(tmp) / f"part{i}.wav"
            render_melody(random_melody(seed + i, 60.0, inst.low, inst.high), inst, wav)
            audio, _ = sf.read(str(wav), dtype="int16")
            parts.append(audio)
            total += len(audio)
            i += 1
        audio = np.concatenate(parts)[: int(seconds * SAMPLE_RATE)]
        sf.write(str(out_wav), audio, SAMPLE_RATE, subtype="PCM_16")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--long", type=float, metavar="SECONDS", required=True,
                    help="render a multi-instrument stereo wav this many seconds long")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("out", help="output .wav (44.1 kHz, 16-bit, stereo)")
    args = ap.parse_args()
    render_long(args.out, args.long, args.seed)


if __name__ == "__main__":
    main()
