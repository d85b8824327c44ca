"""Shared helpers for the end-to-end tests: run the CLI, make audio, read its CSV."""
import math
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import soundfile as sf

BINARY = os.environ.get("PITCHSCRIBE", "build/pitchscribe")
HEADER = "time,frequency,confidence,voiced"


def tone(freq, seconds, rate=44100):
    """A two-partial tone, 0.7 peak."""
    t = np.arange(int(seconds * rate)) / rate
    return 0.5 * np.sin(2 * np.pi * freq * t) + 0.2 * np.sin(4 * np.pi * freq * t)


def write_audio(path, signal, rate=44100, channels=1, subtype="PCM_16"):
    """`signal` (mono) copied to every channel; subtype as soundfile names it."""
    data = np.repeat(np.asarray(signal, dtype=np.float64)[:, None], channels, axis=1)
    sf.write(str(path), data, rate, subtype=subtype)


def run(*args, stdin=None, timeout=10, **kwargs):
    """Runs the CLI; every case must finish within `timeout` seconds (no hang)."""
    return subprocess.run([BINARY, *map(str, args)], input=stdin, capture_output=True,
                          timeout=timeout, **kwargs)


def read_track(text):
    lines = text.strip().splitlines()
    assert lines[0] == HEADER, lines[0]
    return [tuple(float(v) for v in line.split(",")) for line in lines[1:]]


def cents(f, ref):
    return 1200 * math.log2(f / ref)


def median_voiced_cents(rows, ref):
    voiced = sorted(r[1] for r in rows if r[3] == 1)
    return cents(voiced[len(voiced) // 2], ref) if voiced else float("inf")


class Fixture(unittest.TestCase):
    """A temporary directory holding a 1 s stereo A3 wav."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pitchscribe-test-")
        os.chmod(cls.dir, 0o755)  # readable by the unprivileged user some tests run as
        cls.wav = os.path.join(cls.dir, "a3.wav")
        write_audio(cls.wav, tone(220.0, 1.0), channels=2)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def assertError(self, result, code, message):
        """Exit code, and exactly one stderr line containing `message`."""
        err = result.stderr.decode()
        self.assertEqual(result.returncode, code, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertTrue(err.startswith("pitchscribe: error: "), err)
        self.assertIn(message, err)

    def assertNoTempFiles(self):
        self.assertEqual([n for n in os.listdir(self.dir) if ".tmp-" in n], [])

    def convert(self, source, target, *codec):
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", source, *codec,
                        target], check=True)
        return target

    def truncated_copy(self, source, name, keep=0.5):
        with open(source, "rb") as f:
            data = f.read()
        target = self.path(name)
        with open(target, "wb") as f:
            f.write(data[: int(len(data) * keep)])
        return target
