#!/usr/bin/env -S /usr/bin/python3
"""End-to-end tests of the pitchscribe command line: outputs, formats, options.

Run by ctest with PITCHSCRIBE set to the binary. Bad inputs are in tests/robustness/."""
import os
import stat
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_harness import (BINARY, Fixture, cents, median_voiced_cents, read_track, run,  # noqa
                         tone, write_audio)


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

    def test_a_pitch_track_alone_makes_no_notes(self):
        result = run(self.wav, "--pitch", "-")
        self.assertEqual(result.returncode, 0)
        summary = result.stderr.decode()
        self.assertIn("100 frames", summary)
        self.assertNotIn("notes", summary)  # the segmenter did not run
        result = run(self.wav, "--pitch", "-", "--notes", self.path("n.csv"))
        self.assertIn("1 notes", result.stderr.decode())

    def test_default_output_is_a_table_of_notes(self):
        result = run(self.wav)
        self.assertEqual(result.returncode, 0)
        lines = result.stdout.decode().splitlines()
        self.assertEqual(lines[0].split(), ["onset", "(s)", "dur", "(s)", "note", "cents", "conf"])
        self.assertEqual(len(lines), 2, lines)  # one held A3
        onset, duration, name, cents_off = lines[1].split()[:4]
        self.assertEqual(name, "A3")
        self.assertLess(float(onset), 0.03)
        self.assertAlmostEqual(float(duration), 1.0, delta=0.03)
        self.assertLessEqual(abs(int(cents_off)), 2)
        self.assertIn("1 notes", result.stderr.decode())  # the summary line

    def test_a4_moves_the_reference(self):
        result = run(self.wav, "--a4", "432", "--quiet")
        fields = result.stdout.decode().splitlines()[1].split()
        self.assertEqual(fields[2], "A3")
        self.assertAlmostEqual(int(fields[3]), 32, delta=1)  # 220 Hz vs 216 Hz

    def test_mains_hum_gives_no_notes_unless_kept(self):
        # Five notes from 2.5 s over a 60 Hz buzz at -50 dBFS (harmonics 1-3). The buzz is
        # removed once steady for 2 s: after that, the rests have no B1 / A#1 notes.
        rate = 44100
        t = np.arange(int(8.0 * rate)) / rate
        w = 2 * np.pi * 60.0 * t
        signal = 10 ** (-50 / 20) * np.sqrt(2) / np.sqrt(1.34) * (
            np.sin(w) + 0.5 * np.sin(2 * w + 1) + 0.3 * np.sin(3 * w + 2))
        for i, f in enumerate([220.0, 261.63, 329.63, 293.66, 246.94]):
            at = int((2.5 + 0.8 * i) * rate)
            signal[at:at + int(0.4 * rate)] += 0.2 * tone(f, 0.4)
        wav = self.path("buzz.wav")
        write_audio(wav, signal)

        def names_after_two_seconds(*options):
            result = run(wav, "--notes", "-", "--quiet", *options)
            self.assertEqual(result.returncode, 0, result.stderr)
            rows = [line.split(",") for line in result.stdout.decode().splitlines()[1:]]
            return [r[4] for r in rows if float(r[0]) > 2.0]

        self.assertEqual(names_after_two_seconds(), ["A3", "C4", "E4", "D4", "B3"])
        kept = names_after_two_seconds("--keep-hum")
        self.assertTrue(any(n in ("B1", "A#1") for n in kept), kept)

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
            self.convert(self.wav, target, *codec)
            result = run(target, "--pitch", "-", "--quiet")
            self.assertEqual(result.returncode, 0, (ext, result.stderr))
            rows = read_track(result.stdout.decode())
            freqs = sorted(r[1] for r in rows if r[3] == 1)
            self.assertGreater(len(freqs), 80, ext)
            self.assertLess(abs(cents(freqs[len(freqs) // 2], 220.0)), 5, ext)

    def test_low_and_high_sample_rates(self):
        for rate in (8000, 192000):
            target = self.path(f"tone{rate}.wav")
            write_audio(target, tone(220.0, 0.5, rate), rate=rate)
            result = run(target, "--pitch", "-", "--quiet")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertLess(abs(median_voiced_cents(read_track(result.stdout.decode()), 220)), 5)


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
    def test_unknown_option_and_missing_input(self):
        self.assertError(run(self.wav, "--frobnicate"), 2, "frobnicate")
        self.assertError(run(), 2, "input")

    def test_help_exits_zero(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--pitch", result.stdout.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
