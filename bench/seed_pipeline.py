#!/usr/bin/env -S /usr/bin/python3
"""The seed's pipeline, re-created with numpy/scipy (and numba when installed): the Python
peer that bench/performance.sh times pitchscribe against.

    /usr/bin/python3 bench/seed_pipeline.py INPUT [-o OUT.csv] [--hop S] [--slice S] [--notes]
    /usr/bin/python3 bench/seed_pipeline.py --self-test

Writes CSV `time,frequency` (Hz, 0 = no pitch) to stdout or -o. Importable for scoring:
    from seed_pipeline import decode, track
    samples, rate = decode("clip.m4a"); times, freqs = track(samples, rate, hop=0.01)

What the seed did (sevagh/transcribe, as in the 2018 post "Speeding up numpy-based pitch
detection with numba and scipy"), and what is kept here:
- Decoding: pydub, i.e. ffprobe for the stream's parameters and ffmpeg for the samples, the
  whole file in memory, channels averaged to mono, at the file's own rate.
  Kept: ffprobe + one ffmpeg subprocess (f32le, -ac 1), the whole signal in memory.
  Changed: float32 from ffmpeg instead of pydub's int16 plus two more copies (the NSDF is
  scale-free, so only memory differs: the seed's footprint was larger, not smaller).
- Slicing: consecutive 100 ms slices, no overlap, each slice [start, min(start + len, N - 1))
  (the seed's off-by-one drops the file's last sample; kept). Kept as the default; --hop
  gives overlapping slices of the same length (--slice), for a 10 ms hop like pitchscribe's.
- Per slice, the seed's "shortcut" NSDF: mean removed, full autocorrelation r by
  scipy.signal.correlate (FFT-based; the seed's default method='auto' picks FFT at these
  lengths, here method='fft' explicitly), nsdf = r[tau] / r[0] for every lag 0..len-1 (not
  McLeod's 2 r / m: no m'(tau) term), inf -> 0 and nan_to_num. In float64, as the seed.
- The seed's peak picking, loop for loop: skip the lobe at lag 0 (but only up to a third of
  the lags), then the highest local maximum of each positive lobe; every maximum above 0.5
  refined by a parabola; the first whose refined height is >= 0.97 x the highest wins;
  pitch = rate / period, reported only above 80 Hz (else no pitch). There is no upper limit.
  Numba-compiled (nopython, cache=True, as the seed) when numba imports; otherwise an exact
  vectorised numpy equivalent (--self-test checks both against the plain loop).
- Note names: the nearest entry, by distance in Hz, of a C0..B8 table with the seed's
  spelling (Eb, Bb); the seed's table was these values rounded to 4 digits. Computed for
  every slice as the seed did (vectorised); written only with --notes.
- Not kept: the YouTube download and the matplotlib plot (the post timed the run without
  the download; the plot is not part of transcription).
- Times: the seed labelled a slice by its start; here by its centre (start + len / 2),
  comparable with pitchscribe's frame centres; --label start gives the seed's.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

_T0 = time.perf_counter()
# Numba's cache would otherwise land in bench/__pycache__ of the source tree.
os.environ.setdefault(
    "NUMBA_CACHE_DIR",
    os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                 "pitchscribe-seed-numba"))

import numpy as np  # noqa: E402
import scipy.signal  # noqa: E402

try:
    import numba  # noqa: E402
except ImportError:  # the numpy path gives the same numbers, slower
    numba = None
_IMPORT_SECONDS = time.perf_counter() - _T0

SLICE_SECONDS = 0.1  # the seed's MS_INCREMENT = 100
CUTOFF = 0.97  # the seed's key-maximum threshold k
SMALL_CUTOFF = 0.5  # maxima at or below this are not candidates
LOWER_PITCH_CUTOFF = 80.0  # Hz; lower estimates are reported as no pitch

NOTE_SPELLING = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]
NOTE_MIDIS = np.arange(12, 12 + 9 * 12)  # C0 .. B8
NOTE_HZ = 440.0 * 2.0 ** ((NOTE_MIDIS - 69) / 12.0)
NOTE_NAMES = [f"{NOTE_SPELLING[m % 12]}{m // 12 - 1}" for m in NOTE_MIDIS]


def fail(message):
    sys.exit(f"seed_pipeline: {message}")


def decode(path):
    """The whole file as mono float32 at its own rate: (samples, rate)."""
    for tool in ("ffprobe", "ffmpeg"):
        if shutil.which(tool) is None:
            fail(f"{tool} not found (Debian package ffmpeg)")
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=sample_rate", "-of", "default=noprint_wrappers=1:nokey=1", path],
        capture_output=True, text=True)
    if probe.returncode != 0 or not probe.stdout.strip():
        fail(f"'{path}': {probe.stderr.strip() or 'no audio stream'}")
    rate = int(probe.stdout.split()[0])
    with tempfile.TemporaryFile() as errors:  # a file, so a chatty ffmpeg cannot block
        proc = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1",
             "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"],
            stdout=subprocess.PIPE, stderr=errors)
        # A bytearray grows in place (mremap) for big buffers: one copy of the signal, not two.
        data = bytearray()
        while chunk := proc.stdout.read(1 << 22):
            data += chunk
        if proc.wait() != 0:
            errors.seek(0)
            fail(f"'{path}': ffmpeg failed: {errors.read().decode(errors='replace').strip()}")
    usable = len(data) - len(data) % 4
    return np.frombuffer(data, dtype="<f4", count=usable // 4), rate


def shortcut_nsdf(frame):
    """The seed's NSDF: r(tau) / r(0) for lags 0..len-1 of the de-meaned frame, float64."""
    x = np.asarray(frame, dtype=np.float64) - np.mean(frame, dtype=np.float64)
    r = scipy.signal.correlate(x, x, mode="full", method="fft")
    middle = r.size // 2  # lag 0 of the full (2 len - 1) correlation
    with np.errstate(divide="ignore", invalid="ignore"):
        nsdf = r[middle:] / r[middle]
    nsdf[nsdf == np.inf] = 0
    return np.nan_to_num(nsdf, copy=False)


def pitch_loop(nsdf, rate, cutoff, small_cutoff, lower_cutoff):
    """The seed's _peak_picking, _parabolic_interpolation and get_pitch, loop for loop.

    Plain Python here; numba compiles the same source. Returns Hz, or -1 for no pitch."""
    n = nsdf.shape[0]
    pos = 0
    while pos < (n - 1) / 3 and nsdf[pos] > 0:  # the lobe at lag 0, up to a third
        pos += 1
    while pos < n - 1 and nsdf[pos] <= 0.0:
        pos += 1
    if pos == 0:
        pos = 1
    maxima = np.empty(max(n, 1), dtype=np.int64)
    count = 0
    current = 0
    while pos < n - 1:
        if nsdf[pos] > nsdf[pos - 1] and nsdf[pos] >= nsdf[pos + 1]:
            if current == 0 or nsdf[pos] > nsdf[current]:
                current = pos
        pos += 1
        if pos < n - 1 and nsdf[pos] <= 0:  # the lobe ended: keep its highest maximum
            if current > 0:
                maxima[count] = current
                count += 1
                current = 0
            while pos < n - 1 and nsdf[pos] <= 0:
                pos += 1
    if current > 0:
        maxima[count] = current
        count += 1

    periods = np.empty(max(count, 1), dtype=np.float64)
    amplitudes = np.empty(max(count, 1), dtype=np.float64)
    estimates = 0
    highest = -np.inf
    for i in range(count):
        tau = maxima[i]
        highest = max(highest, nsdf[tau])
        if nsdf[tau] > small_cutoff:
            a, b, c = nsdf[tau - 1], nsdf[tau], nsdf[tau + 1]
            bottom = c + a - 2 * b
            if bottom == 0.0:
                x, y = float(tau), b
            else:
                delta = a - c
                x = tau + delta / (2 * bottom)
                y = b - delta * delta / (8 * bottom)
            periods[estimates] = x
            amplitudes[estimates] = y
            estimates += 1
            highest = max(highest, y)
    if estimates == 0:
        return -1.0
    chosen = 0
    for i in range(estimates):
        if amplitudes[i] >= cutoff * highest:
            chosen = i
            break
    pitch = rate / periods[chosen]
    return pitch if pitch > lower_cutoff else -1.0


def pitch_numpy(nsdf, rate, cutoff, small_cutoff, lower_cutoff):
    """pitch_loop without a Python loop over lags: the same decisions, array-wise."""
    n = nsdf.shape[0]
    if n < 3:
        return -1.0
    third = -(-(n - 1) // 3)  # first pos not < (n - 1) / 3
    nonpositive = np.flatnonzero(nsdf[:third] <= 0)
    pos = int(nonpositive[0]) if nonpositive.size else third
    if pos < n - 1 and nsdf[pos] <= 0.0:
        positive = np.flatnonzero(nsdf[pos:n - 1] > 0.0)
        pos = pos + int(positive[0]) if positive.size else n - 1
    if pos == 0:
        pos = 1
    if pos >= n - 1:
        return -1.0
    # Visited lags: the start, then every positive lag before n - 1 (non-positive runs are
    # skipped). Each non-positive lag after the start closes the current lobe.
    lags = np.arange(pos, n - 1)
    value = nsdf[pos:n - 1]
    positive = value > 0
    visited = positive.copy()
    visited[0] = True
    is_max = visited & (value > nsdf[pos - 1:n - 2]) & (value >= nsdf[pos + 1:n])
    closes = ~positive
    closes[0] = False
    lobe = np.cumsum(closes)[is_max]
    peak_lags = lags[is_max]
    if peak_lags.size == 0:
        return -1.0
    peak_values = nsdf[peak_lags]
    # Per lobe, the first lag holding the lobe's highest value (the loop's strict '>').
    starts = np.flatnonzero(np.r_[True, lobe[1:] != lobe[:-1]])
    lobe_max = np.maximum.reduceat(peak_values, starts)
    sizes = np.diff(np.r_[starts, peak_lags.size])
    at_max = np.flatnonzero(peak_values == np.repeat(lobe_max, sizes))
    segment = np.repeat(np.arange(starts.size), sizes)[at_max]
    first = at_max[np.r_[True, segment[1:] != segment[:-1]]]
    taus = peak_lags[first]

    b = nsdf[taus]
    highest = b.max()
    taus = taus[b > small_cutoff]
    if taus.size == 0:
        return -1.0
    a, b, c = nsdf[taus - 1], nsdf[taus], nsdf[taus + 1]
    bottom = c + a - 2 * b
    delta = a - c
    flat = bottom == 0.0
    safe = np.where(flat, 1.0, bottom)
    periods = np.where(flat, taus, taus + delta / (2 * safe))
    amplitudes = np.where(flat, b, b - delta * delta / (8 * safe))
    highest = max(highest, amplitudes.max())
    above = np.flatnonzero(amplitudes >= cutoff * highest)
    pitch = rate / periods[above[0] if above.size else 0]
    return pitch if pitch > lower_cutoff else -1.0


_PICKERS = {"python": pitch_loop, "numpy": pitch_numpy}


def picker(impl="auto"):
    """The per-frame pitch function for `impl`: auto (numba if installed), numba, numpy, python."""
    if impl == "auto":
        impl = "numba" if numba is not None else "numpy"
    if impl == "numba":
        if numba is None:
            fail("numba is not installed (Debian package python3-numba)")
        if "numba" not in _PICKERS:
            _PICKERS["numba"] = numba.njit(cache=True)(pitch_loop)
    return impl, _PICKERS[impl]


def frame_starts(n_samples, rate, hop, slice_seconds):
    """(slice length, start sample of every slice): slices start until the signal ends."""
    length = int(round(slice_seconds * rate))
    if length < 1:
        fail("--slice is shorter than one sample")
    if hop is None:  # the seed: back to back
        return length, np.arange(0, n_samples, length)
    step = hop * rate
    if step <= 0:
        fail("--hop must be > 0")
    count = int(np.ceil(n_samples / step)) if n_samples else 0
    starts = np.round(np.arange(count) * step).astype(np.int64)
    return length, starts[starts < n_samples]


def track(samples, rate, hop=None, slice_seconds=SLICE_SECONDS, impl="auto", label="centre"):
    """Pitch of every slice: (times in s, frequencies in Hz, 0 = no pitch).

    hop=None slices back to back as the seed did; a hop in seconds overlaps slices of
    slice_seconds. Times are slice centres (label='centre') or starts (the seed's)."""
    _, pitch = picker(impl)
    samples = np.asarray(samples)
    n = samples.shape[0]
    length, starts = frame_starts(n, rate, hop, slice_seconds)
    freqs = np.zeros(starts.size)
    last = n - 1  # the seed's slice end, min(start + len, N - 1)
    for i, start in enumerate(starts):
        frame = samples[start:min(start + length, last)]
        if frame.shape[0] < 2:  # the seed would fail on an empty slice
            continue
        f = pitch(shortcut_nsdf(frame), float(rate), CUTOFF, SMALL_CUTOFF, LOWER_PITCH_CUTOFF)
        if f > 0:
            freqs[i] = f
    offset = length / 2 if label == "centre" else 0
    return (starts + offset) / rate, freqs


def note_names(freqs):
    """The seed's mapping: the nearest table frequency in Hz ('' where there is no pitch)."""
    freqs = np.asarray(freqs)
    index = np.clip(np.searchsorted(NOTE_HZ, freqs), 1, NOTE_HZ.size - 1)
    lower_is_nearer = freqs - NOTE_HZ[index - 1] <= NOTE_HZ[index] - freqs
    index = np.where(lower_is_nearer, index - 1, index)
    return [NOTE_NAMES[i] if f > 0 else "" for i, f in zip(index, freqs)]


def write_csv(out, times, freqs, notes=None):
    if notes is None:
        rows = [f"{t:.4f},{f:.3f}" for t, f in zip(times, freqs)]
        out.write("time,frequency\n")
    else:
        rows = [f"{t:.4f},{f:.3f},{n}" for t, f, n in zip(times, freqs, notes)]
        out.write("time,frequency,note\n")
    if rows:
        out.write("\n".join(rows))
        out.write("\n")


def self_test():
    """The numpy (and numba) picker against the plain loop, on frames that stress it."""
    rng = np.random.default_rng(7)
    rate = 44100.0
    frames = [np.zeros(4410), np.ones(4410), np.zeros(2), np.array([1.0, -1.0, 0.5])]
    t = np.arange(4410) / rate
    for f0 in (55.0, 82.41, 110.0, 196.0, 440.0, 1000.0, 3000.0, 8000.0):
        frames.append(np.sin(2 * np.pi * f0 * t))
        harmonic = sum(np.sin(2 * np.pi * h * f0 * t) / h for h in range(1, 8))
        frames.append(harmonic + 0.3 * rng.standard_normal(t.size))
    for length in (3, 4, 5, 7, 64, 441, 1000, 4409):
        frames.append(rng.standard_normal(length))
        frames.append(np.cumsum(rng.standard_normal(length)))  # mostly one positive lobe
    frames += [rng.standard_normal(4410) for _ in range(40)]
    impls = ["numpy"] + (["numba"] if numba is not None else [])
    for impl in impls:
        _, pitch = picker(impl)
        for i, frame in enumerate(frames):
            nsdf = shortcut_nsdf(frame)
            args = (nsdf, rate, CUTOFF, SMALL_CUTOFF, LOWER_PITCH_CUTOFF)
            want, got = pitch_loop(*args), pitch(*args)
            if not (want == got or abs(want - got) <= 1e-9 * abs(want)):
                fail(f"self-test: {impl} gives {got} where the seed's loop gives {want} "
                     f"(frame {i}, length {frame.size})")
    sines = [pitch_loop(shortcut_nsdf(frames[4 + 2 * k]), rate, CUTOFF, SMALL_CUTOFF,
                        LOWER_PITCH_CUTOFF) for k in range(4)]
    print(f"seed_pipeline self-test: {', '.join(impls)} match the seed's loop on "
          f"{len(frames)} frames; sines 55/82.41/110/196 Hz -> "
          f"{', '.join(f'{s:.2f}' for s in sines)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?", help="audio file (anything ffmpeg reads)")
    ap.add_argument("-o", "--output", default="-", help="CSV file; - = stdout (default)")
    ap.add_argument("--hop", type=float, default=None, metavar="SECONDS",
                    help="seconds between slice starts (default: the slice length, no overlap)")
    ap.add_argument("--slice", type=float, default=SLICE_SECONDS, metavar="SECONDS",
                    help="slice (frame) length in seconds (default 0.1, the seed's)")
    ap.add_argument("--impl", choices=["auto", "numba", "numpy", "python"], default="auto",
                    help="peak picking: auto = numba when installed, else numpy")
    ap.add_argument("--label", choices=["centre", "start"], default="centre",
                    help="time written for a slice (the seed used its start)")
    ap.add_argument("--notes", action="store_true", help="add a note-name column")
    ap.add_argument("--timing", action="store_true", help="time each stage, on stderr")
    ap.add_argument("--self-test", action="store_true",
                    help="check the numpy/numba pickers against the seed's loop and exit")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return
    if args.input is None:
        ap.error("an input file is required")
    if not args.slice > 0:
        ap.error("--slice must be > 0")

    impl, _ = picker(args.impl)  # fails early if numba was asked for and is missing
    t0 = time.perf_counter()
    samples, rate = decode(args.input)
    t1 = time.perf_counter()
    times, freqs = track(samples, rate, args.hop, args.slice, impl, args.label)
    names = note_names(freqs)  # the seed's last step, done whether or not it is written
    t2 = time.perf_counter()
    if args.output == "-":
        write_csv(sys.stdout, times, freqs, names if args.notes else None)
        sys.stdout.flush()
    else:
        with open(args.output, "w") as out:
            write_csv(out, times, freqs, names if args.notes else None)
    t3 = time.perf_counter()
    if args.timing:
        seconds = samples.size / rate
        print(f"seed_pipeline: {args.input}: {seconds:.2f} s at {rate} Hz, {times.size} slices, "
              f"{int(np.count_nonzero(freqs))} with pitch; picker {impl}; import "
              f"{_IMPORT_SECONDS:.2f} s, decode {t1 - t0:.2f} s, analysis {t2 - t1:.2f} s, "
              f"write {t3 - t2:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
