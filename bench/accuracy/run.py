#!/usr/bin/env -S /usr/bin/python3
"""Accuracy evaluation anyone can rerun: pitchscribe against aubio (7 pitch methods and
aubionotes) and the seed re-creation, on a seeded corpus (bench/accuracy/corpus.py),
scored with mir_eval; writes docs/ACCURACY.md.

    make accuracy                                   # full corpus
    /usr/bin/python3 bench/accuracy/run.py [--quick] [--out docs/ACCURACY.md] [--jobs 2]

The corpus is cached under build/accuracy-data/<hash>/ (keyed by the generator settings);
tool outputs are recomputed every run. --quick uses a small subset (its own cache).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "bench"))

HOP = 0.01
AUBIO_METHODS = ["yinfft", "yin", "yinfast", "mcomb", "fcomb", "schmitt", "specacf"]
SEED_SYSTEMS = {"seed_100ms": None, "seed_10ms": 0.01}
SYSTEMS = (["pitchscribe", "pitchscribe_all"] + [f"aubio_{m}" for m in AUBIO_METHODS] + list(SEED_SYSTEMS))
NOTE_SYSTEMS = ["pitchscribe", "aubionotes", "aubionotes_shifted", "seed_100ms", "seed_10ms"]
ONSET_GUARD = 0.05


def aubio_sizes(rate):
    hop = int(round(HOP * rate))
    buf = int(2 ** round(np.log2(2048 * rate / 44100)))
    return hop, buf


def aubio_offset(rate):
    """aubio labels the buffer ending at t + hop with t: its centre is at t - (B/2 - H)/rate."""
    hop, buf = aubio_sizes(rate)
    return (buf / 2 - hop) / rate


# ---------------------------------------------------------------- running the tools
def run(cmd, timeout=600):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))}: exit {p.returncode}: {p.stderr.strip()[-300:]}")
    return p.stdout


def run_pitchscribe(binary, wav, rate, tmpdir):
    out = Path(tmpdir) / (Path(wav).stem + ".ps.json")
    run([binary, str(wav), "--json", str(out), "--quiet", "--threads", "1"]
        if _PS_HAS_THREADS else [binary, str(wav), "--json", str(out), "--quiet"])
    doc = json.loads(out.read_text())
    out.unlink()
    fr = np.array([[np.nan if v is None else v for v in row] for row in doc["track"]["frames"]],
                  dtype=float).reshape(-1, 5)
    # mir_eval's convention: a pitch guess on an unvoiced frame is a negative frequency (RPA and
    # RCA score it, the voicing measures count the frame unvoiced).
    f = np.where(np.isfinite(fr[:, 1]), fr[:, 1], 0.0)
    freqs = np.where(fr[:, 3] == 1, f, -f)
    notes = [[n["onset"], n["offset"], n["frequency"]] for n in doc["notes"]]
    every = np.where(np.isfinite(fr[:, 1]) & (fr[:, 1] > 0), fr[:, 1], 0.0)
    return {"pitchscribe": (fr[:, 0], freqs), "pitchscribe_all": (fr[:, 0], every)}, {"pitchscribe": notes}


def run_aubiopitch(method, wav, rate):
    hop, buf = aubio_sizes(rate)
    text = run(["aubiopitch", "-i", str(wav), "-H", str(hop), "-B", str(buf), "-p", method])
    rows = np.array([[float(v) for v in line.split()[:2]] for line in text.splitlines()
                     if len(line.split()) >= 2]).reshape(-1, 2)
    t, f = rows[:, 0] - aubio_offset(rate) - AUBIO_RESIDUAL.get((method, rate), 0.0), rows[:, 1]
    return {f"aubio_{method}": (t, np.where(f > 0, f, 0.0))}, {}


def parse_aubionotes(text):
    notes = []
    for line in text.splitlines():
        v = line.split()
        if len(v) == 3:  # "midi onset offset"; single numbers are bare onsets
            midi, on, off = map(float, v)
            notes.append([on, off, float(440.0 * 2 ** ((midi - 69) / 12))])
    return notes


def run_aubionotes(wav, rate):
    hop, buf = aubio_sizes(rate)
    notes = parse_aubionotes(run(["aubionotes", "-i", str(wav), "-H", str(hop), "-B", str(buf)]))
    d = AUBIONOTES_DELAY.get(rate, 0.0)
    return {}, {"aubionotes": notes,
                "aubionotes_shifted": [[a - d, b - d, f] for a, b, f in notes]}


def run_seed(wav, rate, tmpdir):
    out = Path(tmpdir) / (Path(wav).stem + ".seed.npz")
    run([sys.executable, str(Path(__file__).resolve()), "--seed-worker", str(wav), str(out)])
    z = np.load(out)
    tracks, notes = {}, {}
    for name in SEED_SYSTEMS:
        t, f = z[f"{name}_t"], z[f"{name}_f"]
        tracks[name] = (t, f)
        notes[name] = seed_notes(t, f, 0.1 if SEED_SYSTEMS[name] is None else HOP)
    out.unlink()
    return tracks, notes


def seed_notes(times, freqs, step):
    """The seed has no note stage: consecutive frames with one note name are one note, from
    half a step before the first frame's time to half a step after the last; pitch = median."""
    import seed_pipeline
    names = seed_pipeline.note_names(freqs)
    notes, i = [], 0
    while i < len(names):
        if not names[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(names) and names[j + 1] == names[i]:
            j += 1
        notes.append([float(times[i] - step / 2), float(times[j] + step / 2),
                      float(np.median(freqs[i:j + 1]))])
        i = j + 1
    return notes


def seed_worker(wav, out):
    import seed_pipeline
    samples, rate = seed_pipeline.decode(str(wav))
    res = {}
    for name, hop in SEED_SYSTEMS.items():
        t, f = seed_pipeline.track(samples, rate, hop=hop, slice_seconds=0.1)
        res[f"{name}_t"], res[f"{name}_f"] = t, f
    np.savez(out, **res)


# ---------------------------------------------------------------- calibration
AUBIONOTES_DELAY = {}
AUBIO_RESIDUAL = {}  # (method, rate): seconds, measured on the step tone after aubio_offset
_PS_HAS_THREADS = False


def calibrate(binary, tmpdir, rates):
    """Pure-tone checks of each tool's time convention. A semitone step (440 -> 466.16 Hz,
    continuous phase) at 1.5 s: the first frame above the midpoint, per tool, should be at
    1.5 s on frame centres. Three 330 Hz tones starting at 0.5, 1.3, 2.1 s: aubionotes'
    onset delay (subtracted in the 'aubionotes_shifted' row)."""
    import soundfile as sf
    rows = []
    for rate in rates:
        t = np.arange(int(2.5 * rate)) / rate
        f = np.where(t < 1.5, 440.0, 440.0 * 2 ** (1 / 12))
        x = 0.5 * np.sin(2 * np.pi * np.cumsum(f) / rate) * (t >= 0.5)
        wav = Path(tmpdir) / f"cal_step_{rate}.wav"
        sf.write(str(wav), x, rate, subtype="PCM_16")
        mid = 440.0 * 2 ** (0.5 / 12)
        res = {}
        tracks, _ = run_pitchscribe(binary, wav, rate, tmpdir)
        tracks.pop("pitchscribe_all")
        for m in AUBIO_METHODS:
            tracks.update(run_aubiopitch(m, wav, rate)[0])
        tracks.update(run_seed(wav, rate, tmpdir)[0])
        for name, (tt, ff) in tracks.items():
            above = np.flatnonzero((tt > 1.0) & (ff > mid))
            res[name] = round(float(tt[above[0]]) - 1.5, 4) if above.size else None
            if name.startswith("aubio_") and res[name] is not None and abs(res[name]) <= 0.03:
                AUBIO_RESIDUAL[(name[6:], rate)] = round(res[name], 3)
        y = np.zeros(int(3 * rate))
        for on in (0.5, 1.3, 2.1):
            i, n = int(on * rate), int(0.5 * rate)
            y[i:i + n] = 0.5 * np.sin(2 * np.pi * 330 * np.arange(n) / rate)
        wav2 = Path(tmpdir) / f"cal_onsets_{rate}.wav"
        sf.write(str(wav2), y, rate, subtype="PCM_16")
        hop, buf = aubio_sizes(rate)
        notes = parse_aubionotes(run(["aubionotes", "-i", str(wav2), "-H", str(hop), "-B", str(buf)]))
        delays = [min((n[0] - on for n in notes), key=abs) for on in (0.5, 1.3, 2.1)] if notes else [0]
        AUBIONOTES_DELAY[rate] = float(np.median(delays))
        res["aubionotes onset delay"] = round(AUBIONOTES_DELAY[rate], 4)
        res["aubio offset applied"] = round(aubio_offset(rate), 4)
        rows.append((rate, res))
    return rows


# ---------------------------------------------------------------- scoring
def to_grid(t_est, f_est, times):
    """Estimate at each truth time: the nearest estimate frame within half its spacing."""
    if len(t_est) == 0:
        return np.zeros_like(times)
    order = np.argsort(t_est)
    t_est, f_est = np.asarray(t_est)[order], np.asarray(f_est)[order]
    spacing = np.median(np.diff(t_est)) if len(t_est) > 1 else HOP
    j = np.searchsorted(t_est, times)
    j0, j1 = np.clip(j - 1, 0, len(t_est) - 1), np.clip(j, 0, len(t_est) - 1)
    j = np.where(np.abs(t_est[j0] - times) <= np.abs(t_est[j1] - times), j0, j1)
    ok = np.abs(t_est[j] - times) <= spacing / 2 + 1e-6
    return np.where(ok, f_est[j], 0.0)


def frame_scores(ref, est, keep=None):
    import mir_eval.melody as mel
    if keep is not None:
        ref, est = ref[keep], est[keep]
    # est < 0: an unvoiced frame with a pitch guess (mir_eval's to_cent_voicing convention).
    rv, ev = (ref > 0).astype(float), (est > 0).astype(float)
    rc, ec = mel.hz2cents(ref), mel.hz2cents(np.abs(est))
    out = dict(
        rpa=mel.raw_pitch_accuracy(rv, rc, ev, ec, cent_tolerance=50),
        rca=mel.raw_chroma_accuracy(rv, rc, ev, ec, cent_tolerance=50),
        rpa10=mel.raw_pitch_accuracy(rv, rc, ev, ec, cent_tolerance=10),
        vr=mel.voicing_recall(rv, ev), vfa=mel.voicing_false_alarm(rv, ev),
        oa=mel.overall_accuracy(rv, rc, ev, ec, cent_tolerance=50))
    both = (rv > 0) & (ev > 0)
    d = ec[both] - rc[both]
    octave = (np.abs(d - 1200) < 50) | (np.abs(d + 1200) < 50)
    out["oct"] = float(octave.sum() / max(rv.sum(), 1))
    out["frames"] = int(rv.sum())
    return out


def note_counts(ref_notes, est_notes):
    import mir_eval.transcription as tr
    if not ref_notes:
        return np.array([0, 0, len(est_notes), 0])
    ri = np.array([[a, b] for a, b, _ in ref_notes])
    rp = np.array([f for _, _, f in ref_notes])
    if not est_notes:
        return np.array([0, len(ref_notes), 0, 0])
    ei = np.array([[a, max(b, a + 1e-3)] for a, b, _ in est_notes])
    ep = np.array([max(f, 1.0) for _, _, f in est_notes])
    on = tr.match_notes(ri, rp, ei, ep, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None)
    off = tr.match_notes(ri, rp, ei, ep, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=0.2)
    return np.array([len(on), len(ref_notes), len(est_notes), len(off)])


def prf(c):
    hit, n_ref, n_est, hit_off = c
    p, r = hit / max(n_est, 1), hit / max(n_ref, 1)
    f = 2 * p * r / max(p + r, 1e-12)
    po, ro = hit_off / max(n_est, 1), hit_off / max(n_ref, 1)
    return p, r, f, 2 * po * ro / max(po + ro, 1e-12)


def guard_mask(times, notes):
    keep = np.ones(len(times), dtype=bool)
    for a, _, _ in notes:
        keep &= ~((times >= a) & (times < a + ONSET_GUARD))
    return keep


# ---------------------------------------------------------------- main
def evaluate(binary, data_dir, items, jobs, tmpdir, log):
    def job(item_system):
        item, what = item_system
        wav, rate = data_dir / item["path"], item["rate"]
        if what == "pitchscribe":
            return item["id"], run_pitchscribe(binary, wav, rate, tmpdir)
        if what == "aubionotes":
            return item["id"], run_aubionotes(wav, rate)
        if what == "seed":
            return item["id"], run_seed(wav, rate, tmpdir)
        return item["id"], run_aubiopitch(what, wav, rate)

    work = [(it, w) for it in items for w in ["seed", "pitchscribe", "aubionotes"] + AUBIO_METHODS]
    tracks, notes = {}, {}
    done = 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for item_id, (tr_, nt) in pool.map(job, work):
            tracks.setdefault(item_id, {}).update(tr_)
            notes.setdefault(item_id, {}).update(nt)
            done += 1
            if done % 100 == 0:
                log(f"  {done}/{len(work)} tool runs")
    return tracks, notes


def score(items, tracks, notes):
    """Per item: ref/est frames on the truth grid and note counts, for every system."""
    per = {}
    for it in items:
        f0 = np.array(it["f0"])
        times = np.arange(len(f0)) * HOP
        keep = guard_mask(times, it["notes"])
        est = {s: to_grid(*tracks[it["id"]][s], times) for s in SYSTEMS}
        cnt = {s: note_counts(it["notes"], notes[it["id"]][s]) for s in NOTE_SYSTEMS}
        per[it["id"]] = dict(ref=f0, keep=keep, est=est, counts=cnt)
    return per


def pooled(per, ids):
    ref = np.concatenate([per[i]["ref"] for i in ids])
    keep = np.concatenate([per[i]["keep"] for i in ids])
    rows = {}
    for s in SYSTEMS:
        est = np.concatenate([per[i]["est"][s] for i in ids])
        r = frame_scores(ref, est)
        r["rpa_guard"] = frame_scores(ref, est, keep)["rpa"]
        rows[s] = r
    counts = {s: sum(per[i]["counts"][s] for i in ids) for s in NOTE_SYSTEMS}
    return rows, counts


def fmt(v):
    return f"{v:.3f}"


def subset_table(rows, counts):
    aubio_best = max((s for s in SYSTEMS if s.startswith("aubio_")), key=lambda s: rows[s]["rpa"])
    lines = ["| system | RPA | RPA (guard) | RCA | RPA 10c | VR | VFA | OA | octave err | "
             "note P | note R | note F | F w/ offsets |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    note_of = {"pitchscribe": "pitchscribe", "aubio_yinfft": "aubionotes",
               "seed_100ms": "seed_100ms", "seed_10ms": "seed_10ms"}
    for s in SYSTEMS:
        r = rows[s]
        label = f"**{s} ◀**" if s == "pitchscribe" else (s + (" (best aubio)" if s == aubio_best else ""))
        if s == "pitchscribe_all":
            label = "pitchscribe, every frame voiced (voiced flag ignored)"
        cells = [fmt(r[k]) for k in ("rpa", "rpa_guard", "rca", "rpa10", "vr", "vfa", "oa", "oct")]
        if s in note_of:
            p, rr, f, fo = prf(counts[note_of[s]])
            cells += [fmt(p), fmt(rr), fmt(f), fmt(fo)]
        else:
            cells += ["", "", "", ""]
        if s == "pitchscribe":
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    p, rr, f, fo = prf(counts["aubionotes_shifted"])
    lines.append(f"| aubionotes, onsets moved earlier by the calibrated delay | | | | | | | | | "
                 f"{fmt(p)} | {fmt(rr)} | {fmt(f)} | {fmt(fo)} |")
    n_ref = counts["pitchscribe"][1]
    return lines, aubio_best, n_ref


SUBSET_TITLES = {
    "clean": "Clean melodies (FluidSynth, 12 instruments)",
    "held_out": "Clean melodies, held out (seeds 7 and 8; never tuned on)",
    "room": "FluidSynth's default reverb and chorus (the clean melodies)",
    "rate_48000": "The clean melodies rendered at 48 kHz",
    "vibrato": "Vibrato and glides (MIDI pitch bend)",
    "synthetic": "Synthetic harmonic complexes (5 sample rates)",
    "clean_sub": "Clean, the degradation subset (the baseline for the rows below)",
    "white_20": "White noise, 20 dB SNR", "white_10": "White noise, 10 dB SNR",
    "white_0": "White noise, 0 dB SNR", "pink_20": "Pink noise, 20 dB SNR",
    "pink_10": "Pink noise, 10 dB SNR", "pink_0": "Pink noise, 0 dB SNR",
    "reverb": "Reverb (sox reverb 50 50 100)", "mp3_64k": "MP3 64 kbps round trip (libmp3lame)",
    "telephone": "Telephone band (sox sinc 300-3400, 8 kHz)",
}
# The clean melodies' other rows, after the clean row when the run has them.
CLEAN_VARIANTS = ("held_out", "room", "rate_48000")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a small subset (a few minutes)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "ACCURACY.md"))
    ap.add_argument("--jobs", type=int, default=2, help="parallel tool runs (threads)")
    ap.add_argument("--pitchscribe", default=os.environ.get("PITCHSCRIBE", str(ROOT / "build" / "pitchscribe")))
    ap.add_argument("--data", default=str(ROOT / "build" / "accuracy-data"))
    ap.add_argument("--seed-worker", nargs=2, metavar=("WAV", "OUT_NPZ"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.seed_worker:
        seed_worker(*args.seed_worker)
        return 0
    import corpus
    import tempfile
    global _PS_HAS_THREADS
    _PS_HAS_THREADS = "--threads" in run([args.pitchscribe, "--help"])
    t0 = time.time()

    def log(msg):
        print(f"[{time.time() - t0:6.1f}s] {msg}", flush=True)

    settings = corpus.QUICK if args.quick else corpus.FULL
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        manifest, data_dir = corpus.build(settings, args.data, pool, log)
        items = manifest["items"]
        if not args.quick:  # the held-out melodies' clean files, scored as one more subset
            held, held_dir = corpus.build(corpus.HELD_OUT, args.data, pool, log)
            items = items + [dict(it, id="held_out" + it["id"][len("clean"):], subset="held_out",
                                  path=str((held_dir / it["path"]).resolve()))
                             for it in held["items"] if it["subset"] == "clean"]
    t_corpus = time.time() - t0
    log(f"corpus ready: {len(items)} files, "
        f"{sum(len(i['f0']) for i in items) * HOP / 60:.1f} min of audio")
    with tempfile.TemporaryDirectory() as tmpdir:
        rates = sorted({it["rate"] for it in items})
        cal = calibrate(args.pitchscribe, tmpdir, rates)
        log("calibration: " + "; ".join(f"{r}: {c}" for r, c in cal))
        tracks, notes = evaluate(args.pitchscribe, data_dir, items, args.jobs, tmpdir, log)
    t_tools = time.time() - t0 - t_corpus
    per = score(items, tracks, notes)
    subsets = {}
    for it in items:
        subsets.setdefault(it["subset"], []).append(it["id"])
    degrade_src = [f"clean/{n}/{settings['degrade_seed']}" for n in settings["degrade_instruments"]]
    order = ["clean"] + [s for s in CLEAN_VARIANTS if s in subsets] + [
        "vibrato", "synthetic", "clean_sub"] + settings["degradations"]
    subsets["clean_sub"] = degrade_src
    results = {name: pooled(per, subsets[name]) for name in order}
    elapsed = time.time() - t0
    log(f"scored; total {elapsed:.0f} s")
    write_doc(args, settings, manifest, items, per, results, order, cal, elapsed, t_corpus, t_tools)
    # Also a machine-readable copy next to the corpus.
    summary = {k: {"frames": v[0], "notes": {s: prf(c) for s, c in v[1].items()}} for k, v in results.items()}
    (Path(args.data) / f"results-{'quick' if args.quick else 'full'}.json").write_text(
        json.dumps(summary, indent=1, default=float))
    print_headline(results)
    return 0


def print_headline(results):
    print("\nsubset        system          RPA    note F (aubio rows: aubionotes raw / delay-corrected)")
    for sub in ["clean", "white_10", "white_0", "pink_10", "pink_0", "mp3_64k", "telephone"]:
        rows, counts = results[sub]
        best = max((s for s in SYSTEMS if s.startswith("aubio_")), key=lambda s: rows[s]["rpa"])
        for s, ns in [("pitchscribe", "pitchscribe"), ("pitchscribe_all", "pitchscribe"), (best, "aubionotes"), ("seed_100ms", "seed_100ms"),
                      ("seed_10ms", "seed_10ms")]:
            extra = f" / {prf(counts['aubionotes_shifted'])[2]:.3f}" if ns == "aubionotes" else ""
            print(f"{sub:<13} {s:<15} {rows[s]['rpa']:.3f}  {prf(counts[ns])[2]:.3f}{extra}")


def write_doc(args, settings, manifest, items, per, results, order, cal, elapsed, t_corpus, t_tools):
    q = args.quick
    cmd = "/usr/bin/python3 bench/accuracy/run.py" + (" --quick" if q else "") + "   # or: make accuracy" + (" QUICK=1" if q else "")
    L = []
    L.append("# Accuracy: pitchscribe against aubio and the seed, on a corpus anyone can regenerate\n")
    L.append(f"Produced by `bench/accuracy/run.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"this machine (2 cores, Debian 12, shared with other jobs), in {elapsed / 60:.1f} min "
             f"({t_corpus:.0f} s corpus {'generation' if t_corpus > 5 else '(cached)'}, "
             f"{t_tools:.0f} s running the tools, the rest scoring). Rerun:\n")
    L.append(f"    {cmd}\n")
    if q:
        L.append("**This is the --quick corpus** (4 instruments, 1 melody each, 2 vibrato melodies, 2 "
                 "sample rates of tones, 2 files per degradation): the figures are a smoke test, "
                 "not the evaluation.\n")
    L.append(f"Corpus: `build/accuracy-data/{manifest['key']}/` (the hash of the generator settings, "
             f"bench/accuracy/corpus.py; generated once, then reused). "
             f"{len(items)} files, {sum(len(i['f0']) for i in items) * HOP / 60:.1f} minutes of audio. "
             "Every score below is pooled over all frames (or notes) of the subset.\n")
    L.extend(headline(results))
    # ---- corpus description
    L.append("## The corpus\n")
    L.append(f"- **Clean melodies**: seeds {settings['seeds']} x {len(settings['instruments'])} instruments, "
             f"{settings['melody_seconds']:.0f} s each, rendered with FluidSynth and FluidR3_GM "
             "(reverb and chorus off, 44.1 kHz, mixed to mono 16-bit). Notes of 0.12-0.9 s; steps "
             "of 1-3 semitones (50 %), repeated notes (15 %), leaps of 5-12 (25 %) and 13-19 "
             "semitones (10 %), rests after 25 % of notes. Guitar and bass have their release "
             "shortened (SoundFont NRPN, as tests/accuracy/melodies.py). Only notes whose patch "
             f"measured within {corpus_tol()} cents are used (below).")
    if any(it["subset"] == "held_out" for it in items):
        L.append("- **Held out**: the clean melodies of the same generator with seeds 7 and 8 "
                 "(corpus.HELD_OUT). No parameter was chosen on them: they show how much of the "
                 "clean figures is fitted to seeds 1 and 2.")
    if settings.get("room"):
        L.append("- **Room**: the same clean melodies rendered as a plain `fluidsynth -F` does, "
                 "with FluidSynth's default reverb and chorus on; the truth is the clean files' "
                 "(the tails after note-off count as unvoiced). A check on sound that rings on "
                 "and beats, as a rendering made elsewhere may.")
    for rate in settings.get("melody_rates", []):
        L.append(f"- **{rate} Hz**: the same clean melodies rendered at {rate} Hz (FluidSynth "
                 "resamples its samples to it); the truth moves with FluidSynth's 64-sample "
                 "blocks at that rate.")
    L.append(f"- **Vibrato and glides**: {len(settings['vibrato'])} sustaining instruments "
             f"({', '.join(settings['vibrato'])}), notes of 0.35-1.2 s; per note, vibrato "
             "(5-6.5 Hz, 20-60 cents, from 120 ms in; 45 %), a glide (0.5-1.9 semitones over "
             "0.1-0.3 s from 30 % of the note, then held; 35 %) or neither, as MIDI pitch-bend "
             "events every 5 ms, the bend reset at each note-on. The frame truth follows the bend "
             "curve (sample-and-hold of the events, +-2 semitones range, checked below); a "
             "note's reference pitch is the median of its truth frames.")
    L.append(f"- **Synthetic tones**: one file per sample rate ({', '.join(str(r) for r in settings['synth_rates'])} Hz), "
             f"{settings['synth_tones']} tones of 0.45 s with 0.15 s gaps, f0 log-uniform from 45 Hz "
             "to min(1800 Hz, rate / 4.5), spectra cycling through sine, 1/h, odd harmonics 1/h, "
             "flat to the 8th harmonic, and a fundamental 20 dB under a 1/h series; harmonics "
             "below 0.45 x rate; 10 ms ramps. Truth is exact (no latency).")
    L.append(f"- **Degradations** of the seed-{settings['degrade_seed']} clean melody of "
             f"{len(settings['degrade_instruments'])} instruments "
             f"({', '.join(settings['degrade_instruments'])}; a subset, to keep the run near 10 "
             "minutes on 2 cores): white and pink (1/f power) "
             "Gaussian noise at 20, 10, 0 dB SNR (signal power measured over the truth's voiced "
             "samples); `sox reverb 50 50 100` (dry + wet); a 64 kbps MP3 round trip "
             "(ffmpeg libmp3lame, decoded by ffmpeg, which trims LAME's delay from the "
             "Xing/LAME header); telephone band `sox IN -r 8000 OUT sinc 300-3400` (sox without "
             "dither, so a regenerated corpus is the same). Each processed copy is moved back "
             "by its chain's delay, measured once by cross-correlation on a white-noise probe "
             "through the same chain (listed below; on periodic music the correlation can "
             "lock onto a neighbouring period); the truth is the clean file's.")
    L.append("- **Truth**: a 10 ms grid t = i x 0.01 s over the whole file; f0 from note-on to "
             "note-off as FluidSynth renders them (melodies.sounding_time: an event takes effect "
             "at the first 64-sample block starting at or after it and is heard one block later, "
             "1.45-2.9 ms after it; checked on the first non-zero sample at 24 offsets), at the "
             "pitch the patch was measured to sound for that MIDI note (so RPA at 10 cents is "
             "not a measure of FluidR3's tuning), 0 elsewhere (release tails count as unvoiced). "
             "Note truth: onset and offset likewise.\n")
    lags = {}
    for it in items:
        if "lag_ms" in it:
            lags.setdefault(it["subset"], []).append(it["lag_ms"])
    if lags:
        L.append("Chain delays removed (ms, measured on a noise probe): " + "; ".join(
            f"{k}: {sorted(set(v))}" for k, v in lags.items()) + ".\n")
    # ---- patch checks
    L.append("## Patch pitch check\n")
    L.append("Each instrument's whole MIDI range was rendered as held notes (1.2 s) and the sounding "
             "fundamental measured with one long FFT per note (melodies.measure_patch_pitches: "
             "harmonic-template f0 with no strong peak far under it, refined on harmonics 1-4). "
             "Notes more than "
             f"{corpus_tol()} cents off are excluded from the melodies.\n")
    L.append("| instrument | GM program | range tried | notes used | worst used (cents) | excluded (MIDI: cents) |")
    L.append("|---|---|---|---|---|---|")
    import corpus
    for name, checks in manifest["patch_checks"].items():
        inst = corpus.INSTRUMENTS[name]
        used = {int(m): d for m, d in checks.items() if abs(d) <= corpus.PATCH_TOLERANCE}
        worst = max(used.items(), key=lambda kv: abs(kv[1])) if used else (None, 0)
        exc = manifest["excluded"].get(name, {})
        L.append(f"| {name} | {inst.program} | {inst.low}-{inst.high} | {len(used)} | "
                 f"{worst[1]:+.1f} at {worst[0]} | "
                 f"{', '.join(f'{m}: {d:+.0f}' for m, d in exc.items()) or 'none'} |")
    L.append("")
    if manifest.get("bend_checks"):
        L.append("Pitch-bend range: a held note with bend +4096 measured against +100 cents "
                 "(0 = FluidSynth's +-2 semitone default holds): " + ", ".join(
                     f"{k} {v:+.1f}" for k, v in manifest["bend_checks"].items()) + " cents.\n")
    # ---- systems
    L.append("## Systems, all run in the same run on every file\n")
    L.append("- **pitchscribe** (`build/pitchscribe FILE --json OUT`, defaults: hop 10 ms, "
             "40-2000 Hz); voicing from its voiced flag; on a frame it flags unvoiced, its frequency "
             "column (the best candidate) is passed as a pitch guess, as a negative frequency: "
             "the MIREX / mir_eval convention, under which RPA and RCA score the guess (mir_eval's "
             "raw measures ignore the estimated voicing) while VR, VFA and OA count the frame "
             "unvoiced. Until 2026-11-24 15:40 these guesses were dropped (RPA counted them as "
             "misses; that stricter figure is 0.005-0.05 lower, up to 0.005 in clean audio). "
             "Notes from the same JSON.")
    L.append("- **pitchscribe, every frame voiced**: the same run with every frame counted "
             "voiced: its VR / VFA show what a tool that always answers (as aubio does) would "
             "score with pitchscribe's pitch.")
    L.append("- **aubiopitch** `-p METHOD -H round(0.01 x rate) -B 2048 x rate / 44100` (rounded to a "
             "power of two: 512 at 8 kHz, 1024 at 22.05, 2048 at 44.1/48, 4096 at 96 kHz), other "
             "options default; output 'time freq', freq <= 0 = unvoiced. aubio labels the buffer "
             "that ends at t + H with t, so its times are moved to buffer centres: "
             "t - (B/2 - H) / rate (13.2 ms at 44.1 kHz). The calibration below then measures, per "
             "method and rate, where the step tone's pitch change shows up; that residual (when "
             "found and under 30 ms) is subtracted too, so every aubio row is on frame centres "
             "as measured, not only as reasoned.")
    L.append("- **aubionotes** (same -H/-B, defaults: onset hfc, yinfft); output lines 'midi onset "
             "offset' (a note's offset is the next onset). It emits a note once its pitch is "
             "stable, so its onsets are late by a constant; a second row subtracts the delay "
             "calibrated on pure tones (below). Offsets are scored as printed.")
    L.append("- **seed_100ms**: bench/seed_pipeline.py as the seed ran (100 ms slices back to back, "
             "times = slice centres); **seed_10ms**: the same 100 ms slices every 10 ms. The seed "
             "has no note stage: consecutive frames with the same note name (its own "
             "nearest-name table) are merged into one note, from half a step before the first "
             "frame to half a step after the last (step = 100 ms or 10 ms), pitch = median.")
    L.append("- Estimates are put on the truth grid by the nearest frame within half a frame "
             "spacing (so a seed slice covers the ten 10 ms truth frames inside it).\n")
    L.append("Time-convention calibration (pure tones, this run): for a semitone step at 1.5 s, "
             "the first frame above the midpoint minus 1.5 s (0 = frame centres; within one hop "
             "is expected), aubio measured after the geometric offset (then also subtracted); "
             "aubionotes' onset delay on three 330 Hz tones:\n")
    L.append("| rate | " + " | ".join(cal[0][1].keys()) + " |")
    L.append("|---" * (len(cal[0][1]) + 1) + "|")
    for rate, res in cal:
        L.append(f"| {rate} | " + " | ".join(str(v) for v in res.values()) + " |")
    L.append("")
    # ---- measures
    L.append("Residuals subtracted from aubio times (s): " + ", ".join(
        f"{m}@{r} {v:+.3f}" for (m, r), v in sorted(AUBIO_RESIDUAL.items())) + "\n")
    L.append("## Measures (mir_eval 0.7)\n")
    L.append("RPA / RCA: raw pitch / chroma accuracy, 50 cents, over voiced truth frames (a "
             "frame with no frequency at all is a miss); **RPA (guard)**: the same without the first 50 ms "
             "after each note-on, where FluidR3's previous note's release still covers the new "
             "attack (docs/CORE_RESULTS.md); RPA 10c: 10 cents; VR / VFA: voicing recall / "
             "false alarm; OA: overall accuracy; octave err: share of voiced truth frames whose "
             "estimate is within 50 cents of 2x or 1/2x the truth. Notes: mir_eval.transcription "
             "matching, onset 50 ms, pitch 50 cents, offsets ignored (P, R, F), and with offsets "
             "(offset_ratio 0.2, min 50 ms; 'F w/ offsets'). Note columns on an aubio row are "
             "aubionotes' (which uses yinfft).\n")
    # ---- tables
    L.append("## Results\n")
    anchors_done = False
    for sub in order:
        rows, counts = results[sub]
        lines, best, n_ref = subset_table(rows, counts)
        files = len([i for i in items if i["subset"] == sub]) if sub != "clean_sub" else len(settings["degrade_instruments"])
        L.append(f"### {SUBSET_TITLES[sub]}\n")
        L.append(f"{files} files, {rows['pitchscribe']['frames']} voiced truth frames, {n_ref} notes.\n")
        L.extend(lines)
        L.append("")
        if sub == "clean" and not anchors_done:
            L.append("Published anchors, for reading only (different data: MDB-stem-synth, "
                     "resynthesised real stems): CREPE RPA 0.967, pYIN RPA 0.919 (Kim et al., "
                     "ICASSP 2018).\n")
            anchors_done = True
            L.extend(per_instrument(items, per, "clean"))
        if sub == "synthetic":
            L.extend(per_file(items, per, "synthetic"))
    L.append("## What this shows\n")
    L.extend(comparisons(results, order))
    notes_md = HERE / "what_this_shows.md"
    if notes_md.exists():
        L.append(notes_md.read_text().strip() + "\n")
    Path(args.out).write_text("\n".join(L) + "\n")


def comparisons(results, order):
    """Computed from this run: where pitchscribe is behind the best other system."""
    L = ["Computed by the script from the tables above (pitchscribe against the best other "
         "system per subset; a difference under 0.005 counts as a tie):\n"]
    for sub in order:
        rows, counts = results[sub]
        others = [s for s in SYSTEMS if not s.startswith("pitchscribe")]
        best = max(others, key=lambda s: rows[s]["rpa"])
        d = rows["pitchscribe"]["rpa"] - rows[best]["rpa"]
        nf = {s: prf(counts[s])[2] for s in NOTE_SYSTEMS}
        nbest = max((s for s in NOTE_SYSTEMS if s != "pitchscribe"), key=nf.get)
        dn = nf["pitchscribe"] - nf[nbest]
        verdict = lambda x: "ahead" if x >= 0.005 else ("behind" if x <= -0.005 else "tied")
        L.append(f"- {SUBSET_TITLES[sub]}: RPA {rows['pitchscribe']['rpa']:.3f}, {verdict(d)} "
                 f"({d:+.3f}) of {best} {rows[best]['rpa']:.3f}; note F {nf['pitchscribe']:.3f}, "
                 f"{verdict(dn)} ({dn:+.3f}) of {nbest} {nf[nbest]:.3f}; VFA "
                 f"{rows['pitchscribe']['vfa']:.3f}, octave errors {rows['pitchscribe']['oct']:.3f}.")
    L.append("")
    return L


def headline(results):
    """The summary table: pitchscribe, the best aubio method of each subset, the seed."""
    L = ["## Headline\n",
         "RPA (50 cents, every frame) and note F (onset 50 ms, pitch 50 cents, offsets ignored). "
         "'best aubio' is the aubiopitch method with the highest RPA on that subset; its note F "
         "is aubionotes' (raw / with its calibrated ~80 ms onset delay removed).\n",
         "| subset | pitchscribe RPA | pitchscribe note F | best aubio | RPA | aubionotes F | "
         "seed 100 ms RPA | F | seed 10 ms RPA | F |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for sub in ["clean", *CLEAN_VARIANTS, "vibrato", "synthetic", "clean_sub", "white_10", "white_0",
                "pink_10", "pink_0", "reverb", "mp3_64k", "telephone"]:
        if sub not in results:
            continue
        rows, counts = results[sub]
        best = max((s for s in SYSTEMS if s.startswith("aubio_")), key=lambda s: rows[s]["rpa"])
        L.append(f"| {SUBSET_TITLES[sub].split(' (')[0]} | **{fmt(rows['pitchscribe']['rpa'])}** | "
                 f"**{fmt(prf(counts['pitchscribe'])[2])}** | {best[6:]} | {fmt(rows[best]['rpa'])} | "
                 f"{fmt(prf(counts['aubionotes'])[2])} / {fmt(prf(counts['aubionotes_shifted'])[2])} | "
                 f"{fmt(rows['seed_100ms']['rpa'])} | {fmt(prf(counts['seed_100ms'])[2])} | "
                 f"{fmt(rows['seed_10ms']['rpa'])} | {fmt(prf(counts['seed_10ms'])[2])} |")
    L.append("")
    return L


def corpus_tol():
    import corpus
    return f"{corpus.PATCH_TOLERANCE:.0f}"


def per_instrument(items, per, subset):
    names = []
    for it in items:
        if it["subset"] == subset and it["instrument"] not in names:
            names.append(it["instrument"])
    L = ["Per instrument (RPA; note F offsets ignored):\n",
         "| instrument | pitchscribe RPA | aubio yinfft RPA | seed 10 ms RPA | pitchscribe note F | aubionotes F | seed 10 ms note F |",
         "|---|---|---|---|---|---|---|"]
    for n in names:
        ids = [it["id"] for it in items if it["subset"] == subset and it["instrument"] == n]
        rows, counts = pooled(per, ids)
        L.append(f"| {n} | {fmt(rows['pitchscribe']['rpa'])} | {fmt(rows['aubio_yinfft']['rpa'])} | "
                 f"{fmt(rows['seed_10ms']['rpa'])} | {fmt(prf(counts['pitchscribe'])[2])} | "
                 f"{fmt(prf(counts['aubionotes'])[2])} | {fmt(prf(counts['seed_10ms'])[2])} |")
    L.append("")
    return L


def per_file(items, per, subset):
    L = ["Per sample rate (RPA):\n", "| file | pitchscribe | aubio yinfft | aubio yin | seed 100 ms | seed 10 ms |",
         "|---|---|---|---|---|---|"]
    for it in items:
        if it["subset"] != subset:
            continue
        rows, _ = pooled(per, [it["id"]])
        L.append(f"| {it['instrument']} | " + " | ".join(
            fmt(rows[s]["rpa"]) for s in ["pitchscribe", "aubio_yinfft", "aubio_yin", "seed_100ms", "seed_10ms"]) + " |")
    L.append("")
    return L


if __name__ == "__main__":
    sys.exit(main())
