#!/usr/bin/env -S /usr/bin/python3
"""End-to-end tests of the pitchscribe command line: outputs, formats and every bad input.

Run by ctest with PITCHSCRIBE set to the binary. Each case checks the exit code and the
one-line message, and that no output file is left behind by a failed run."""
import math
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import wave

import numpy as np

BINARY = os.environ.get("PITCHSCRIBE", "build/pitchscribe")


def write_wav(path, signal, rate=44100, channels=1):
    """16-bit PCM wav; `signal` is mono float in [-1, 1], copied to every channel."""
    data = np.clip(np.asarray(signal) * 32767, -32768, 32767).astype("<i2")
    data = np.repeat(data[:, None], channels, axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


def tone(freq, seconds, rate=44100):
    t = np.arange(int(seconds * rate)) / rate
    return 0.5 * np.sin(2 * np.pi * freq * t) + 0.2 * np.sin(4 * np.pi * freq * t)


def run(*args, stdin=None):
    return subprocess.run([BINARY, *map(str, args)], input=stdin, capture_output=True,
                          timeout=60)


def read_track(text):
    lines = text.strip().splitlines()
    assert lines[0] == "time,frequency,confidence,voiced", lines[0]
    return [tuple(float(v) for v in line.split(",")) for line in lines[1:]]


def cents(f, ref):
    return 1200 * math.log2(f / ref)


class Fixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pitchscribe-cli-")
        cls.wav = os.path.join(cls.dir, "a3.wav")
        write_wav(cls.wav, tone(220.0, 1.0), channels=2)

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
        leftovers = [n for n in os.listdir(self.dir) if ".tmp-" in n]
        self.assertEqual(leftovers, [])


class Outputs(Fixture):
    def test_pitch_csv_has_the_contract_header_and_the_right_pitch(self):
        out = self.path("track.csv")
        result = run(self.wav, "--pitch", out, "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, b"")
        with open(out) as f:
            rows = read_track(f.read())
        self.assertEqual(len(rows), 100)
        self.assertEqual([r[0] for r in rows[:3]], [0.0, 0.01, 0.02])
        voiced = [r for r in rows if r[3] == 1]
        self.assertGreater(len(voiced), 95)
        for r in voiced:
            self.assertLess(abs(cents(r[1], 220.0)), 5, r)
            self.assertTrue(0 <= r[2] <= 1)

    def test_dash_writes_the_csv_to_stdout(self):
        result = run(self.wav, "--pitch", "-", "--quiet")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(len(read_track(result.stdout.decode())), 100)

    def test_default_output_lists_voiced_frames_with_note_names(self):
        result = run(self.wav)
        self.assertEqual(result.returncode, 0)
        lines = result.stdout.decode().splitlines()
        self.assertIn("note", lines[0])
        self.assertGreater(len(lines), 90)
        for line in lines[1:]:
            self.assertEqual(line.split()[2], "A3")
        self.assertIn("real time", result.stderr.decode())  # the summary line

    def test_a4_moves_the_reference(self):
        result = run(self.wav, "--a4", "432", "--quiet")
        fields = result.stdout.decode().splitlines()[50].split()
        self.assertEqual(fields[2], "A3")
        self.assertAlmostEqual(float(fields[3]), 31.8, delta=1.0)  # 220 Hz vs 216 Hz

    def test_stdin_is_read_with_dash(self):
        with open(self.wav, "rb") as f:
            result = run("-", "--pitch", "-", "--quiet", stdin=f.read())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(read_track(result.stdout.decode())), 100)

    def test_hop_sets_the_frame_rate(self):
        result = run(self.wav, "--pitch", "-", "--hop", "0.02", "--quiet")
        rows = read_track(result.stdout.decode())
        self.assertEqual(len(rows), 50)
        self.assertAlmostEqual(rows[-1][0], 0.98)

    def test_every_common_format_gives_the_same_pitch(self):
        for ext, codec in [("flac", []), ("mp3", []), ("ogg", ["-c:a", "libvorbis"]),
                           ("opus", ["-c:a", "libopus"]), ("m4a", ["-c:a", "aac"])]:
            target = self.path("tone." + ext)
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", self.wav, *codec,
                            target], check=True)
            result = run(target, "--pitch", "-", "--quiet")
            self.assertEqual(result.returncode, 0, (ext, result.stderr))
            rows = read_track(result.stdout.decode())
            freqs = sorted(r[1] for r in rows if r[3] == 1)
            self.assertGreater(len(freqs), 80, ext)
            self.assertLess(abs(cents(freqs[len(freqs) // 2], 220.0)), 5, ext)

    def test_low_and_high_sample_rates(self):
        for rate in (8000, 192000):
            target = self.path(f"tone{rate}.wav")
            write_wav(target, tone(220.0, 0.5, rate), rate=rate)
            result = run(target, "--pitch", "-", "--quiet")
            self.assertEqual(result.returncode, 0, result.stderr)
            rows = [r for r in read_track(result.stdout.decode()) if r[3] == 1]
            self.assertLess(abs(cents(sorted(r[1] for r in rows)[len(rows) // 2], 220)), 5)


class BadInput(Fixture):
    def test_missing_file(self):
        self.assertError(run(self.path("nope.wav")), 2, "nope.wav': No such file or directory")

    def test_directory(self):
        self.assertError(run(self.dir), 2, "': is a directory")

    def test_empty_file(self):
        open(self.path("empty.wav"), "wb").close()
        self.assertError(run(self.path("empty.wav")), 2, "empty.wav': empty file")

    def test_text_file(self):
        with open(self.path("notes.txt"), "w") as f:
            f.write("these are not the samples you are looking for\n" * 20)
        self.assertError(run(self.path("notes.txt")), 2, "notes.txt': not an audio file")

    def test_random_bytes(self):
        with open(self.path("noise.bin"), "wb") as f:
            f.write(np.random.default_rng(5).bytes(50000))
        self.assertError(run(self.path("noise.bin")), 2, "noise.bin': not an audio file")

    def test_truncated_wav(self):
        with open(self.wav, "rb") as f:
            data = f.read()
        with open(self.path("cut.wav"), "wb") as f:
            f.write(data[: len(data) // 2])
        self.assertError(run(self.path("cut.wav")), 2, "cut.wav': truncated: decoded 0.50 s")

    def test_truncated_m4a(self):
        m4a = self.path("whole.m4a")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", self.wav, m4a], check=True)
        with open(m4a, "rb") as f:
            data = f.read()
        with open(self.path("cut.m4a"), "wb") as f:
            f.write(data[: len(data) // 2])
        self.assertError(run(self.path("cut.m4a")), 2, "cut.m4a': not an audio file")

    def test_failed_run_leaves_an_existing_output_untouched(self):
        out = self.path("keep.csv")
        with open(out, "w") as f:
            f.write("old\n")
        self.assertError(run(self.path("nope.wav"), "--pitch", out), 2, "No such file")
        with open(out) as f:
            self.assertEqual(f.read(), "old\n")
        self.assertNoTempFiles()


class SpecialOutputs(Fixture):
    def test_dev_null_stays_a_device(self):
        result = run(self.wav, "--pitch", "/dev/null", "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))

    def test_a_fifo_is_written_in_place(self):
        fifo = self.path("track.fifo")
        os.mkfifo(fifo)
        proc = subprocess.Popen([BINARY, self.wav, "--pitch", fifo, "--quiet"])
        with open(fifo) as f:
            rows = read_track(f.read())
        self.assertEqual(proc.wait(timeout=60), 0)
        self.assertEqual(len(rows), 100)
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))


class BadOutput(Fixture):
    def test_output_in_a_missing_directory(self):
        out = self.path("missing/track.csv")
        self.assertError(run(self.wav, "--pitch", out), 2,
                         "track.csv': cannot write: No such file or directory")

    def test_output_is_a_directory(self):
        self.assertError(run(self.wav, "--pitch", self.dir), 2, "cannot write: is a directory")

    def test_output_equal_to_input_is_refused(self):
        self.assertError(run(self.wav, "--pitch", self.wav), 2,
                         "refusing to overwrite the input file")
        self.assertGreater(os.path.getsize(self.wav), 100000)


class Usage(Fixture):
    def test_out_of_range_options_name_the_option(self):
        for args, message in [(["--hop", "0"], "--hop must be > 0"),
                              (["--hop", "-1"], "--hop must be > 0"),
                              (["--fmin", "500", "--fmax", "400"], "--fmin must be less than --fmax"),
                              (["--fmin", "0"], "--fmin must be > 0"),
                              (["--a4", "0"], "--a4 must be > 0"),
                              (["--a4", "-440"], "--a4 must be > 0"),
                              (["--hop", "abc"], "--hop")]:
            self.assertError(run(self.wav, *args), 2, message)

    def test_unknown_option_and_missing_input(self):
        self.assertError(run(self.wav, "--frobnicate"), 2, "frobnicate")
        self.assertError(run(), 2, "input")

    def test_help_exits_zero(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--pitch", result.stdout.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
