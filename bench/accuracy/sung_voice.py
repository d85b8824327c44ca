"""Sung melodies by additive formant synthesis, with their exact truth (sung_melodies.py).

FluidSynth's voices are samples: a note's pitch holds, and legato is a crossfade. A singer
glides between notes (portamento), scoops into a note after a consonant, sings vibrato that
starts late, drifts, and separates syllables with consonants. This voice does those things,
and since the pitch is synthesised, the truth is the pitch itself, sample by sample (as
MDB-stem-synth's resynthesis makes it):
  - frames: the f0 wherever the voice sounds within 30 dB of its loudest (consonants and
    rests are unvoiced);
  - notes: the written pitch (with the singer's intonation, +-8 cents), from where the voice
    leaves the note before (a legato glide: as a synthesizer's portamento starts at its
    note-on) or where the vowel begins after a consonant or a rest, to the note's end.
Each note is approached legato (40 %: a smooth glide of 50-120 ms, overshooting by up to 15 %),
after a consonant (45 %: 40-80 ms of unvoiced noise, a fricative or a plosive) or after a rest
(15 %); a repeated pitch is always a new syllable. Vowels (five, with formants scaled for the
voice type) change from note to note, coarticulated over 40 ms.
"""
import numpy as np

RATE = 44100
# Formant frequencies and bandwidths (Hz) of five vowels, for a bass; higher voices scale them.
VOWELS = {
    "a": [(800, 80), (1150, 90), (2900, 120), (3900, 130), (4950, 140)],
    "e": [(400, 60), (1600, 80), (2700, 120), (3300, 150), (4950, 200)],
    "i": [(350, 50), (1700, 100), (2700, 120), (3700, 150), (4950, 200)],
    "o": [(450, 70), (800, 80), (2830, 100), (3500, 130), (4950, 135)],
    "u": [(325, 50), (700, 60), (2530, 170), (3500, 180), (4950, 200)],
}
VOICES = {"bass": (40, 62, 1.0), "tenor": (48, 69, 1.0), "alto": (53, 74, 1.15),
          "soprano": (60, 81, 1.2)}  # MIDI range, formant scale
STEPS = [-7, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 7, 12, -12]
STEP_WEIGHTS = np.array([4, 6, 8, 10, 14, 8, 6, 8, 14, 10, 6, 4, 2, 2, 2], dtype=float)


def envelope(freqs, vowel, scale):
    """The vowel's spectral envelope at `freqs`: a cascade of second-order resonances."""
    h = np.ones_like(freqs)
    for f, b in VOWELS[vowel]:
        f, b = f * scale, b * scale
        h = h / np.sqrt((1 - (freqs / f) ** 2) ** 2 + (freqs * b / f ** 2) ** 2)
    return h


def melody(rng, voice, seconds=11.0):
    """Notes: start, end, midi, cents (intonation), how it is approached, vowel."""
    lo, hi, _ = VOICES[voice]
    t, notes, pitch = 0.3, [], int(rng.integers(lo + 4, hi - 4))
    while t < seconds:
        dur = rng.uniform(0.22, 0.9)
        pitch = int(np.clip(pitch + rng.choice(STEPS, p=STEP_WEIGHTS / STEP_WEIGHTS.sum()), lo, hi))
        art = rng.choice(["legato", "consonant", "rest"], p=[0.4, 0.45, 0.15]) if notes else "rest"
        if notes and pitch == notes[-1]["midi"] and art == "legato":
            art = "consonant"
        if art == "rest" and notes:
            t += rng.uniform(0.15, 0.5)
        notes.append(dict(start=t, end=t + dur, midi=pitch, cents=rng.normal(0, 8), art=art,
                          vowel=rng.choice(list(VOWELS))))
        t += dur
    return notes


def note_contour(rng, note, before, ts):
    """Cents from A4 over the note's samples (ts: seconds from its start), and its onset."""
    target = (note["midi"] - 69) * 100 + note["cents"]
    onset = note["start"]
    if note["art"] == "legato":
        prev = (before["midi"] - 69) * 100 + before["cents"]
        g = rng.uniform(0.05, 0.12)
        x = np.clip(ts / g, 0, 1)
        over = rng.uniform(0, 0.15) * (target - prev) * np.sin(np.pi * np.clip(ts / (2 * g), 0, 1))
        seg = prev + (target - prev) * x * x * (3 - 2 * x) + over * (ts > g) * np.exp(-(ts - g) / 0.05)
    else:  # a scoop up into the note
        seg = target - rng.uniform(30, 90) * np.exp(-ts / rng.uniform(0.03, 0.06))
    if ts[-1] > 0.35:  # vibrato, after a delay
        rate, depth = rng.uniform(5, 6.5), rng.uniform(20, 60)
        seg = seg + depth * np.clip((ts - 0.15) / 0.2, 0, 1) * np.sin(
            2 * np.pi * rate * ts + rng.uniform(0, 2 * np.pi))
    return seg, onset, target


def consonant(rng, n):
    """n samples of a fricative (bright noise) or a plosive (closure, then a burst)."""
    if rng.random() < 0.5:
        return 0.15 * np.diff(np.concatenate([[0], rng.normal(0, 1, n)])) * np.hanning(n)
    out = np.zeros(n)
    k = min(n, int(0.012 * RATE))
    out[-k:] = 0.3 * np.diff(np.concatenate([[0], rng.normal(0, 1, k)])) * np.exp(
        -np.arange(k) / (0.003 * RATE))
    return out


def render(seed, voice, room=False):
    """(samples, frame truth at `hop` 0.01 s, note truth [onset, offset, Hz])."""
    rng = np.random.default_rng(seed)
    _, _, scale = VOICES[voice]
    notes = melody(rng, voice)
    n = int((notes[-1]["end"] + 0.5) * RATE)
    cents, amp, noise = np.full(n, np.nan), np.zeros(n), np.zeros(n)
    weights = {v: np.zeros(n) for v in VOWELS}
    truth_notes = []
    for i, note in enumerate(notes):
        a, b = int(note["start"] * RATE), int(note["end"] * RATE)
        ts = np.arange(b - a) / RATE
        seg, onset, target = note_contour(rng, note, notes[i - 1] if i else None, ts)
        cents[a:b] = seg
        env = np.ones(b - a)
        if note["art"] != "legato":
            gap = int(rng.uniform(0.04, 0.08) * RATE) if note["art"] == "consonant" else 0
            env = np.clip((ts - gap / RATE) / rng.uniform(0.02, 0.06), 0, 1)
            if gap:
                noise[a:a + gap] = consonant(rng, gap)
                onset = note["start"] + gap / RATE
        if i + 1 == len(notes) or notes[i + 1]["art"] == "rest":
            env = env * np.clip((ts[-1] - ts) / rng.uniform(0.03, 0.08), 0, 1)
        amp[a:b] = 10 ** (rng.uniform(-8, 0) / 20) * env
        weights[note["vowel"]][a:b] = 1
        truth_notes.append([onset, note["end"], 440 * 2 ** (target / 1200)])
    # Slow drift (+-15 cents), cycle jitter (0.3 %), then the voice sample by sample.
    drift = np.convolve(rng.normal(0, 1, n // 441 + 2), np.ones(20) / 20, "same")
    drift = np.interp(np.arange(n), np.arange(len(drift)) * 441, drift) * 15
    f0 = 440 * 2 ** ((np.nan_to_num(cents) + drift) / 1200)
    f0 = f0 * (1 + 0.003 * rng.normal(0, 1, n // 200 + 2).repeat(200)[:n])
    voiced = np.isfinite(cents) & (amp > 0)
    smooth = np.hanning(int(0.04 * RATE))
    weights = {v: np.convolve(w, smooth / smooth.sum(), "same") for v, w in weights.items()}
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    y = np.zeros(n)
    for s0 in range(0, n, 256):  # harmonic amplitudes per 5.8 ms block
        s1, mid = min(n, s0 + 256), min(n - 1, s0 + 128)
        if not voiced[s0:s1].any():
            continue
        ks = np.arange(1, int(0.45 * RATE / f0[mid]) + 1)
        g = sum(weights[v][mid] * envelope(ks * f0[mid], v, scale) for v in VOWELS) / ks
        y[s0:s1] = ((g / g.max())[:, None] * np.sin(ks[:, None] * phase[None, s0:s1])).sum(0)
    shimmer = 1 + 0.04 * np.convolve(rng.normal(0, 1, n), np.ones(441) / 21, "same")
    breath = np.convolve(rng.normal(0, 1, n), [1, -0.9], "same") * 0.02 * (1 + np.sin(phase))
    y = (y * shimmer + breath) * amp + noise
    if room:  # a 0.8 s exponential tail, 9 dB under the dry sound
        ir = rng.normal(0, 1, int(0.8 * RATE)) * np.exp(-6.9 * np.arange(int(0.8 * RATE)) / (0.8 * RATE))
        ir[0] = 0
        wet = np.convolve(y, ir)[:n]
        y = y + 0.35 * wet * np.std(y) / max(np.std(wet), 1e-9)
    y = 0.5 * y / np.abs(y).max()
    idx = np.clip((np.arange(int(n / RATE / 0.01)) * 0.01 * RATE).astype(int), 0, n - 1)
    frames = np.where(voiced[idx] & (amp[idx] > 0.03 * amp.max()), f0[idx], 0.0)
    return y, frames, truth_notes
