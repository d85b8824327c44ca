#!/usr/bin/env -S /usr/bin/python3
"""Renders the bundled example examples/guitar_tuning.flac (and its notes list).

A guitarist tuning: the six open strings E2 A2 D3 G3 B3 E4 plucked low to high, then a second
pass to check, on FluidR3 GM "Acoustic Guitar (steel)" (program 25). Deterministic: fixed note list, fixed
velocities, FluidSynth offline render with reverb and chorus off, sox without dither.
Needs fluidsynth, fluid-soundfont-gm, sox and python3-mido, python3-soundfile.

    /usr/bin/python3 scripts/render_example.py [--out examples/guitar_tuning.flac]
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "accuracy"))
import melodies  # noqa: E402  (MIDI writing and FluidSynth rendering shared with the tests)

STRINGS = [("E2", 40), ("A2", 45), ("D3", 50), ("G3", 55), ("B3", 59), ("E4", 64)]
PASSES = 2
PLUCK_SECONDS = 1.6  # held before the player damps it
GAP_NEXT_STRING = 0.3  # moving to the next string / tuning peg
GAP_NEXT_PASS = 1.0
VELOCITIES = (92, 100)  # the second pass a little firmer, as when checking the result
# Damped like the test melodies: FluidR3's steel guitar otherwise rings for seconds after
# note-off, and the previous string would sound under the next one.
GUITAR = melodies.Instrument(program=25, low=40, high=64, damp=True)
SILENCE_DB = -70.0  # trailing audio below this (peak, dBFS) is cut
# Output: FluidSynth's 44.1 kHz 16-bit stereo as FLAC, ~0.5 MB (the channels are nearly
# identical and FLAC codes their difference); stereo also exercises the decoder's downmix.


def tuning_notes():
    notes, t = [], melodies.LEAD_IN
    for k in range(PASSES):
        for _, midi in STRINGS:
            notes.append(melodies.Note(round(t, 3), round(t + PLUCK_SECONDS, 3), midi, VELOCITIES[k % 2]))
            t += PLUCK_SECONDS + GAP_NEXT_STRING
        t += GAP_NEXT_PASS - GAP_NEXT_STRING
    return notes


def trim_trailing_silence(wav_path):
    audio, sr = sf.read(str(wav_path), dtype="int16")
    level = np.abs(audio.astype(np.int32)).max(axis=1)
    loud = np.flatnonzero(level > 32768 * 10 ** (SILENCE_DB / 20))
    end = min(len(audio), loud[-1] + int(0.05 * sr)) if len(loud) else len(audio)
    sf.write(str(wav_path), audio[:end], sr, subtype="PCM_16")
    return end / sr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "examples" / "guitar_tuning.flac"))
    args = ap.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    notes = tuning_notes()

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "guitar_tuning.wav"
        midi = wav.with_suffix(".mid")
        melodies.write_midi(notes, GUITAR, midi)
        melodies.render(midi, wav)  # fluidsynth -ni -R 0 -C 0 -g 0.7 -r 44100 -F wav sf2 mid
        seconds = trim_trailing_silence(wav)
        # -D: no dither, so the output is bit-identical run to run.
        subprocess.run(["sox", "-D", str(wav), "-b", "16", str(out)], check=True)

    names = dict((m, n) for n, m in STRINGS)
    notes_txt = out.with_name(out.name.replace(".flac", ".notes.txt"))
    with open(notes_txt, "w") as f:
        f.write(f"# Expected notes in {out.name}: onset (s, MIDI note-on; sound starts ~2.5 ms\n"
                f"# later), note name, MIDI number, Hz (A4 = 440), offset (s, note-off).\n"
                f"# FluidR3 GM Acoustic Guitar (steel), rendered by scripts/render_example.py\n")
        for n in notes:
            f.write(f"{n.start:.3f} {names[n.midi]} {n.midi} {float(melodies.midi_to_hz(n.midi)):.2f} {n.end:.3f}\n")
    size = out.stat().st_size
    print(f"{out}: {seconds:.1f} s, {size / 1e6:.2f} MB; notes in {notes_txt}")
    if size >= 1_000_000:
        sys.exit(f"{out} is {size} bytes, over the 1 MB budget")


if __name__ == "__main__":
    main()
