#!/usr/bin/env -S /usr/bin/python3
"""Where pitchscribe's wrong frames are: a development aid beside run.py (not part of it).

Runs only pitchscribe on one subset of the corpus (cached by run.py under build/accuracy-data)
and prints RPA / RCA / octave errors per instrument, then each wrong frame's kind:
  prev     the previous note's pitch (the change heard late)
  next     the next note's pitch (the change heard early)
  octave   2x or 1/2x the truth
  none     no estimate at all
  other    anything else
with its distance from the note's onset, so a change can be judged by the frames it moves.
The last column, "unheard", counts the wrong frames whose true pitch is not a clear NSDF peak
(clarity >= 0.8, within 50 cents) in any of five windows around the frame (51 or 25 ms,
centred, starting at the frame or ending there): frames where the truth (note-on to note-off)
is ahead of what the audio shows, e.g. a new note not yet periodic under the old one's
release. No choice among a frame's pitch candidates can get those right.

    /usr/bin/python3 bench/accuracy/errors.py                     # clean, the main corpus
    /usr/bin/python3 bench/accuracy/errors.py --held-out          # seeds 7 and 8 (generated once)
    /usr/bin/python3 bench/accuracy/errors.py --subset reverb --list church_organ
    /usr/bin/python3 bench/accuracy/errors.py --compare OTHER_BINARY   # frames that differ
    /usr/bin/python3 bench/accuracy/errors.py --soundfont /usr/share/sounds/sf2/TimGM6mb.sf2
    /usr/bin/python3 bench/accuracy/errors.py --gain -40      # the same melodies 40 dB quieter

The held-out corpus is the same generator with other seeds; it exists to check that a change
tuned on the main corpus holds on melodies it was not tuned on.
"""
import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402
import other_soundfonts  # noqa: E402
import run  # noqa: E402  (the tool runner and the truth grid of make accuracy)

HOP = run.HOP


def cents(a, b):
    """melodies.cents, safe where a frequency is 0 (no estimate)."""
    return corpus.melodies.cents(np.maximum(a, 1e-9), np.maximum(b, 1e-9))


def track_on_grid(binary, wav, rate, tmp, n, gain_db=0.0):
    """pitchscribe's frame pitches (guesses on unvoiced frames included) on the truth grid;
    with gain_db, of a copy that much louder or quieter (clipped at full scale, 16-bit)."""
    if gain_db:
        x, sr = sf.read(str(wav))
        wav = Path(tmp) / f"gain_{Path(binary).name}_{Path(wav).name}"
        sf.write(str(wav), np.clip(x * 10 ** (gain_db / 20), -1, 1), sr, subtype="PCM_16")
    tracks, _ = run.run_pitchscribe(binary, wav, rate, tmp)
    t, f = tracks["pitchscribe"]
    return run.to_grid(t, np.abs(f), np.arange(n) * HOP)


def nsdf(w):
    """McLeod's normalised square difference function of one window, lags 0..len-1."""
    w = w - w.mean()
    n = len(w)
    r = np.fft.irfft(np.abs(np.fft.rfft(w, 2 * n)) ** 2)[:n]
    c = np.cumsum(w * w)
    tau = np.arange(1, n)
    m = np.concatenate([[2 * c[-1]], c[n - 1 - tau] + c[-1] - c[tau - 1]])
    return 2 * r / np.maximum(m, 1e-20)


def clear_at(window, rate, f, clarity=0.8):
    """Whether `window` has an NSDF key maximum within 50 cents of f at least this clear."""
    ns = nsdf(window)
    lag = rate / f
    lo, hi = int(lag * 2 ** (-50 / 1200)), int(np.ceil(lag * 2 ** (50 / 1200))) + 1
    if hi >= len(ns) // 2 or lo < 2:
        return False
    k = lo + int(np.argmax(ns[lo:hi]))
    return bool(ns[k] >= clarity and ns[k] >= ns[k - 1] and ns[k] >= ns[k + 1])


def heard(x, rate, t, f):
    """Whether f is clear in any of five windows around time t (see the top of this file)."""
    full = int(round(0.051 * rate))
    half = full // 2
    c = int(round(t * rate))
    for start, length in [(-half, full), (-half // 2, half), (0, half), (0, full), (-half, half)]:
        a = c + start
        if 0 <= a and a + length <= len(x) and clear_at(x[a:a + length], rate, f):
            return True
    return False


def classify(item, est):
    """Per voiced truth frame: (kind, ms since the note's onset), kind None when right."""
    ref = np.array(item["f0"])
    times = np.arange(len(ref)) * HOP
    notes = item["notes"]
    rows = []
    for i in np.flatnonzero(ref > 0):
        e, r = est[i], ref[i]
        k = max((j for j, n in enumerate(notes) if n[0] <= times[i] + 1e-9), default=0)
        since = (times[i] - notes[k][0]) * 1000
        if e > 0 and abs(cents(e, r)) <= 50:
            rows.append((None, since))
            continue
        if e <= 0:
            kind = "none"
        elif k > 0 and abs(cents(e, notes[k - 1][2])) <= 50:
            kind = "prev"
        elif k + 1 < len(notes) and abs(cents(e, notes[k + 1][2])) <= 50:
            kind = "next"
        elif min(abs(cents(e, 2 * r)), abs(cents(e, r / 2))) <= 50:
            kind = "octave"
        else:
            kind = "other"
        rows.append((kind, since))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pitchscribe", default=str(ROOT / "build" / "pitchscribe"))
    ap.add_argument("--data", default=str(ROOT / "build" / "accuracy-data"))
    ap.add_argument("--subset", default="clean")
    ap.add_argument("--held-out", action="store_true", help="seeds 7 and 8 instead of 1 and 2")
    ap.add_argument("--soundfont", metavar="SF2", help="the melodies of other_soundfonts.py "
                    "rendered from this soundfont (seeds 5 and 6)")
    ap.add_argument("--gain", type=float, default=0.0, metavar="DB", help="run on copies this "
                    "many dB louder (clipped) or quieter")
    ap.add_argument("--list", metavar="INSTRUMENT", help="print each wrong frame of its files "
                    "('all': of every file)")
    ap.add_argument("--compare", metavar="BINARY", help="count frames this binary gets "
                    "right that --pitchscribe gets wrong, and the reverse")
    args = ap.parse_args()
    settings = corpus.HELD_OUT if args.held_out else corpus.FULL
    if args.soundfont:
        settings = other_soundfonts.settings_for(args.soundfont)
    with ThreadPoolExecutor(max_workers=2) as pool:
        manifest, data_dir = corpus.build(settings, args.data, pool, log=lambda m: None)
    items = [it for it in manifest["items"] if it["subset"] == args.subset]
    binaries = [args.pitchscribe] + ([args.compare] if args.compare else [])
    run._PS_HAS_THREADS = True  # one thread per run, two runs at a time
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        runs = {b: list(pool.map(lambda it: track_on_grid(b, data_dir / it["path"], it["rate"],
                                                          tmp, len(it["f0"]), args.gain), items))
                for b in binaries}
    tally = {}
    total = dict(frames=0, wrong=0, chroma=0, octave=0)
    changed = [0, 0]
    others = runs[args.compare] if args.compare else [None] * len(items)
    for it, est, other in zip(items, runs[args.pitchscribe], others):
        ref = np.array(it["f0"])
        rows = classify(it, est)
        t = tally.setdefault(it["instrument"], dict(frames=0, kinds={}, near=0, unheard=0))
        t["frames"] += len(rows)
        v = np.flatnonzero(ref > 0)
        x, rate = sf.read(str(data_dir / it["path"]))
        x = x.mean(axis=1) if x.ndim == 2 else x
        unheard = set()
        for (kind, since), i in zip(rows, v):
            if kind:
                t["kinds"][kind] = t["kinds"].get(kind, 0) + 1
                t["near"] += since < 100
                if not heard(x, rate, i * HOP, ref[i]):
                    unheard.add(i)
        t["unheard"] += len(unheard)
        d = cents(est[v], ref[v])
        total["frames"] += len(v)
        total["wrong"] += int((np.abs(d) > 50).sum())
        total["chroma"] += int((np.abs(d - 1200 * np.round(d / 1200)) > 50).sum())
        total["octave"] += int(((np.abs(d - 1200) <= 50) | (np.abs(d + 1200) <= 50)).sum())
        if other is not None:
            d2 = cents(other[v], ref[v])
            changed[0] += int(((np.abs(d) > 50) & (np.abs(d2) <= 50)).sum())
            changed[1] += int(((np.abs(d) <= 50) & (np.abs(d2) > 50)).sum())
        if args.list in (it["instrument"], "all"):
            times = np.arange(len(ref)) * HOP
            for (kind, since), i in zip(rows, v):
                if kind:
                    print(f"{it['id']} t={times[i]:.2f} ref={ref[i]:.1f} est={est[i]:.1f} "
                          f"{kind} +{since:.0f} ms{' unheard' if i in unheard else ''}")
    n = total["frames"]
    print(f"{args.subset}{' (held-out)' if args.held_out else ''}: {n} voiced frames, "
          f"RPA {1 - total['wrong'] / n:.4f} ({total['wrong']} wrong), "
          f"RCA {1 - total['chroma'] / n:.4f} ({total['chroma']} wrong), "
          f"octave {total['octave'] / n:.2%}")
    kinds = ["prev", "next", "octave", "none", "other"]
    unheard = sum(t["unheard"] for t in tally.values())
    print(f"{unheard} wrong frames unheard: choosing among what the frames hear, RPA could reach "
          f"at most {1 - unheard / n:.4f}")
    print(f"{'instrument':14s} {'RPA':>6s} " + " ".join(f"{k:>6s}" for k in kinds)
          + "  <100ms unheard")
    for name, t in sorted(tally.items()):
        wrong = sum(t["kinds"].values())
        print(f"{name:14s} {1 - wrong / t['frames']:6.3f} "
              + " ".join(f"{t['kinds'].get(k, 0):6d}" for k in kinds)
              + f"  {t['near']:6d} {t['unheard']:7d}")
    if args.compare:
        print(f"against {args.compare}: {changed[0]} frames right there and wrong here, "
              f"{changed[1]} the reverse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
