#!/usr/bin/env -S /usr/bin/python3
"""Signals, a full disk, an input pipe that ends early, and repeatability: a run ends with
complete outputs or none, and says why."""
import os
import resource
import signal
import struct
import subprocess
import sys
import threading
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_harness import BINARY, Fixture, read_track, run, tone, write_audio  # noqa: E402


def wav_header(frames, rate=44100):
    """A 16-bit mono wav header declaring `frames` samples."""
    data = frames * 2
    return (b"RIFF" + struct.pack("<I", 36 + data) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" +
            struct.pack("<I", data))


def pcm(seconds, rate=44100):
    return (tone(220.0, seconds, rate) * 32767).astype("<i2").tobytes()


class Interruptions(Fixture):
    def feed_slowly(self, proc, seconds):
        """Writes a long wav to the process's stdin, a tenth of a second at a time."""
        try:
            proc.stdin.write(wav_header(44100 * 600))
            chunk = pcm(0.1)
            for _ in range(int(seconds * 10)):
                proc.stdin.write(chunk)
                proc.stdin.flush()
                time.sleep(0.01)
        except (BrokenPipeError, ValueError):
            pass

    def interrupt(self, sig, expected_code):
        out = self.path(f"sig{sig}.csv")
        proc = subprocess.Popen([BINARY, "-", "--pitch", out], stdin=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        feeder = threading.Thread(target=self.feed_slowly, args=(proc, 20), daemon=True)
        feeder.start()
        time.sleep(1.0)
        self.assertTrue(any(".tmp-" in n for n in os.listdir(self.dir)))  # mid-write
        proc.send_signal(sig)
        self.assertEqual(proc.wait(timeout=10), expected_code)
        self.assertFalse(os.path.exists(out))
        self.assertNoTempFiles()

    def test_sigint_leaves_no_output_and_exits_130(self):
        self.interrupt(signal.SIGINT, 130)

    def test_sigterm_leaves_no_output_and_exits_143(self):
        self.interrupt(signal.SIGTERM, 143)


class FullDisk(Fixture):
    def test_a_write_that_fails_midway_leaves_no_file(self):
        # RLIMIT_FSIZE makes writes past 4 KB fail with EFBIG, as a full disk fails them.
        long = self.path("long.wav")
        write_audio(long, tone(220.0, 10.0))
        out = self.path("full.csv")
        limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # noqa: E731
        result = run(long, "--pitch", out, preexec_fn=limit)
        self.assertError(result, 1, "full.csv': cannot write: File too large")
        self.assertFalse(os.path.exists(out))
        self.assertNoTempFiles()

    def test_a_full_device(self):
        result = run(self.wav, "--pitch", "/dev/full")
        self.assertError(result, 1, "'/dev/full': cannot write: No space left on device")


class EarlyEnd(Fixture):
    def test_an_input_pipe_that_closes_early_gives_the_results_so_far_and_a_warning(self):
        data = wav_header(44100 * 10) + pcm(2.0)  # declares 10 s, delivers 2 s
        result = run("-", "--pitch", "-", "--quiet", stdin=data)
        self.assertEqual(result.returncode, 0, result.stderr)
        err = result.stderr.decode()
        self.assertIn("warning: 'stdin': input ended early: 2.00 s of 10.00 s declared", err)
        rows = read_track(result.stdout.decode())
        self.assertEqual(len(rows), 200)
        self.assertGreater(sum(r[3] for r in rows), 190)


class Determinism(Fixture):
    def test_same_input_same_bytes(self):
        signal_ = tone(196.0, 3.0) + 0.05 * np.random.default_rng(3).standard_normal(3 * 44100)
        write_audio(self.path("noisy.wav"), signal_ / 2)
        outputs = [run(self.path("noisy.wav"), "--pitch", "-", "-q").stdout for _ in range(3)]
        self.assertGreater(len(outputs[0]), 1000)
        self.assertEqual(outputs[0], outputs[1])
        self.assertEqual(outputs[0], outputs[2])

    def test_thread_count_does_not_change_any_output(self):
        """Frames are analysed in parallel but tracked in order: --pitch, --notes and --json
        are the same bytes for any --threads."""
        rate = 44100
        rng = np.random.default_rng(5)
        t = np.arange(int(6.3 * rate)) / rate
        # A melody of eight notes with vibrato, a rest and noise throughout.
        notes = [196.0, 220.0, 246.94, 0.0, 261.63, 329.63, 293.66, 392.0]
        f0 = np.repeat(notes, len(t) // len(notes) + 1)[:len(t)]
        f0 = f0 * (1 + 0.004 * np.sin(2 * np.pi * 5.5 * t))
        phase = 2 * np.pi * np.cumsum(f0) / rate
        melody = sum(np.sin(h * phase) / h for h in range(1, 6)) * (f0 > 0)
        signal_ = 0.3 * melody + 0.03 * rng.standard_normal(len(t))
        write_audio(self.path("melody.wav"), signal_, rate)
        outputs = {}
        for threads in (1, 2, 3):
            paths = [self.path(f"t{threads}.{ext}") for ext in ("pitch.csv", "notes.csv", "json")]
            result = run(self.path("melody.wav"), "--pitch", paths[0], "--notes", paths[1],
                         "--json", paths[2], "--threads", str(threads), "-q", timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            outputs[threads] = [open(p, "rb").read() for p in paths]
        self.assertGreater(len(outputs[1][0]), 10000)
        self.assertGreater(outputs[1][1].count(b"\n"), 5)  # some notes were found
        for threads in (2, 3):
            for name, a, b in zip(("pitch", "notes", "json"), outputs[1], outputs[threads]):
                self.assertEqual(a, b, f"--threads {threads}: {name} differs")

    def test_threads_must_be_positive(self):
        write_audio(self.path("short.wav"), tone(220.0, 0.2))
        for value in ("0", "-2"):
            result = run(self.path("short.wav"), "--pitch", "-", "--threads", value)
            self.assertError(result, 2, "--threads")


if __name__ == "__main__":
    unittest.main(verbosity=2)
