#!/usr/bin/env -S /usr/bin/python3
"""Note transcription F-measure of pitchscribe on seeded random melodies rendered with
FluidSynth (FluidR3 GM), and the MIDI files it writes read back with mido.

Run by ctest with PITCHSCRIBE=<path of the CLI>. For each of NOTE_INSTRUMENTS, melodies with
rests, repeated notes, steps and leaps (tests/accuracy/melodies.py) are rendered and
transcribed with `$PITCHSCRIBE file.wav --notes notes.csv --midi notes.mid`. Scored with
mir_eval.transcription: onset within 50 ms, pitch within 50 cents, offsets ignored. The
reference onset is the MIDI note-on plus FluidSynth's start-up latency (~2.5 ms).

Exit status: fail if the pooled F-measure < F_BAR, any instrument's F < INSTRUMENT_FLOOR,
the CLI fails, or the MIDI file read by mido differs from the CSV (times within one tick).
"""
import argparse
import csv
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mido
import mir_eval.transcription as tr
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import melodies  # noqa: E402

F_BAR = 0.90
INSTRUMENT_FLOOR = 0.75  # a guard against one instrument collapsing; the bar is F_BAR
MELODY_SECONDS = 12.0
SEEDS = (11, 12)
NOTES_HEADER = ["onset", "offset", "frequency", "midi", "note", "confidence"]

# The core set plus four more families (ranges inside the instrument and FluidR3's
# well-tuned samples, as in melodies.INSTRUMENTS).
NOTE_INSTRUMENTS = dict(melodies.INSTRUMENTS)
NOTE_INSTRUMENTS.update({
    "cello": melodies.Instrument(42, 38, 74),
    "clarinet": melodies.Instrument(71, 52, 86),
    "alto_sax": melodies.Instrument(65, 50, 80),
    "nylon_guitar": melodies.Instrument(24, 45, 76, damp=True),
})


def read_notes(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != NOTES_HEADER:
        raise ValueError(f"{path}: bad header {rows[0] if rows else '(empty)'}")
    return [(float(r[0]), float(r[1]), float(r[2]), int(r[3]), r[4]) for r in rows[1:]]


def read_midi(path):
    """(onset s, offset s, note) from a MIDI file, through mido's own tempo handling."""
    mid = mido.MidiFile(str(path))
    t, active, notes = 0.0, {}, []
    for msg in mid:  # merged tracks, msg.time in seconds
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            active[msg.note] = t
        elif msg.type in ("note_off", "note_on") and msg.note in active:
            notes.append((active.pop(msg.note), t, msg.note))
    return sorted(notes)


def run_case(binary, workdir, name, inst, seed):
    notes = melodies.random_melody(seed * 1000 + inst.program, MELODY_SECONDS, inst.low, inst.high)
    wav = Path(workdir) / f"{name}_{seed}.wav"
    melodies.render_melody(notes, inst, wav)
    csv_path, mid_path = wav.with_suffix(".notes.csv"), wav.with_suffix(".out.mid")
    proc = subprocess.run([binary, str(wav), "--notes", str(csv_path), "--midi", str(mid_path),
                           "--quiet"], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        return notes, [], [f"exit {proc.returncode}: {proc.stderr.strip()}"]
    est = read_notes(csv_path)
    problems = []
    back = read_midi(mid_path)
    if [n for _, _, n in back] != [e[3] for e in est]:
        problems.append("MIDI notes differ from the CSV")
    tick = 0.5 / 960 + 1e-6  # 480 ticks per beat at 120 bpm: a tick is 1/960 s
    for (on, off, _), e in zip(back, est):
        if abs(on - e[0]) > tick or abs(off - e[1]) > tick:
            problems.append(f"MIDI times {on:.4f}-{off:.4f} differ from CSV {e[0]}-{e[1]}")
            break
    return notes, est, problems


def f_measure(ref_notes, est):
    ref_iv = np.array([[n.start + melodies.FLUIDSYNTH_LATENCY, n.end + melodies.FLUIDSYNTH_LATENCY]
                       for n in ref_notes])
    ref_hz = melodies.midi_to_hz([n.midi for n in ref_notes])
    est_iv = np.array([[e[0], max(e[1], e[0] + 1e-3)] for e in est]).reshape(-1, 2)
    est_hz = np.array([e[2] for e in est])
    matched = tr.match_notes(ref_iv, ref_hz, est_iv, est_hz, onset_tolerance=0.05,
                             pitch_tolerance=50.0, offset_ratio=None)
    return len(matched), len(ref_notes), len(est)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--keep", metavar="DIR", help="render into DIR and keep the files")
    ap.add_argument("--seeds", type=int, nargs="+", default=SEEDS, help="melody seeds")
    args = ap.parse_args()
    binary = melodies.cli_from_env()
    if binary is None:
        return 2
    workdir, _tmp = melodies.work_dir(args.keep)
    cases = [(name, inst, seed) for name, inst in NOTE_INSTRUMENTS.items() for seed in args.seeds]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda c: run_case(binary, workdir, *c), cases))

    failed = False
    totals = {}
    print(f"{'instrument':<14} {'ref':>4} {'est':>4} {'hit':>4}    P      R      F")
    for (name, _, seed), (ref_notes, est, problems) in zip(cases, results):
        for p in problems:
            print(f"  {name} seed {seed}: {p}")
            failed = True
        hit, n_ref, n_est = f_measure(ref_notes, est)
        t = totals.setdefault(name, [0, 0, 0])
        t[0] += hit
        t[1] += n_ref
        t[2] += n_est
    pooled = [0, 0, 0]
    for name, (hit, n_ref, n_est) in totals.items():
        p, r = hit / max(n_est, 1), hit / max(n_ref, 1)
        f = 2 * p * r / max(p + r, 1e-9)
        print(f"{name:<14} {n_ref:4d} {n_est:4d} {hit:4d}  {p:.3f}  {r:.3f}  {f:.3f}")
        pooled = [a + b for a, b in zip(pooled, (hit, n_ref, n_est))]
        if f < INSTRUMENT_FLOOR:
            print(f"  FAIL: {name} F {f:.3f} < {INSTRUMENT_FLOOR}")
            failed = True
    p, r = pooled[0] / max(pooled[2], 1), pooled[0] / max(pooled[1], 1)
    f = 2 * p * r / max(p + r, 1e-9)
    print(f"{'all':<14} {pooled[1]:4d} {pooled[2]:4d} {pooled[0]:4d}  {p:.3f}  {r:.3f}  {f:.3f}"
          f"   (bar F >= {F_BAR})")
    if f < F_BAR:
        print(f"FAIL: pooled F {f:.3f} < {F_BAR}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
