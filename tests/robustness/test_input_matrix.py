#!/usr/bin/env -S /usr/bin/python3
"""The bad-input matrix: every kind of file a user may point pitchscribe at gets a result or
one clear error line, the documented exit code, within 10 s, and no partial output file."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_harness import Fixture, median_voiced_cents, read_track, run, tone, write_audio  # noqa


def as_nobody():
    """Root reads and writes everything: permission cases run as user nobody."""
    return (lambda: (os.setgid(65534), os.setuid(65534))) if os.geteuid() == 0 else None


class UnreadableInput(Fixture):
    """Exit 2 with the file's name and the reason; an existing output stays untouched."""

    def check(self, path, message):
        out = self.path("keep.csv")
        with open(out, "w") as f:
            f.write("old\n")
        self.assertError(run(path, "--pitch", out), 2, message)
        with open(out) as f:
            self.assertEqual(f.read(), "old\n")
        self.assertNoTempFiles()

    def test_missing_file(self):
        self.check(self.path("nope.wav"), "nope.wav': No such file or directory")

    def test_directory(self):
        self.check(self.dir, "': is a directory")

    def test_empty_file(self):
        open(self.path("empty.wav"), "wb").close()
        self.check(self.path("empty.wav"), "empty.wav': empty file")

    def test_text_file(self):
        with open(self.path("notes.txt"), "w") as f:
            f.write("these are not the samples you are looking for\n" * 20)
        self.check(self.path("notes.txt"), "notes.txt': not an audio file")

    def test_random_bytes(self):
        with open(self.path("noise.bin"), "wb") as f:
            f.write(np.random.default_rng(5).bytes(50000))
        self.check(self.path("noise.bin"), "noise.bin': not an audio file")

    def test_truncated_wav(self):
        cut = self.truncated_copy(self.wav, "cut.wav")
        self.check(cut, "cut.wav': truncated: decoded 0.50 s of 1.00 s declared")

    def test_wav_header_claiming_more_data_than_there_is(self):
        with open(self.wav, "rb") as f:
            data = bytearray(f.read())
        at = data.index(b"data") + 4  # the data chunk's size field
        size = int.from_bytes(data[at:at + 4], "little")
        data[at:at + 4] = (size * 3).to_bytes(4, "little")
        with open(self.path("liar.wav"), "wb") as f:
            f.write(data)
        self.check(self.path("liar.wav"), "liar.wav': truncated: decoded 1.00 s of 3.00 s")

    def test_truncated_flac(self):
        flac = self.convert(self.wav, self.path("whole.flac"))
        self.check(self.truncated_copy(flac, "cut.flac"), "cut.flac': truncated")

    def test_truncated_mp3(self):
        mp3 = self.convert(self.wav, self.path("whole.mp3"))
        self.check(self.truncated_copy(mp3, "cut.mp3"), "cut.mp3': truncated")

    def test_truncated_m4a(self):
        m4a = self.convert(self.wav, self.path("whole.m4a"))
        self.check(self.truncated_copy(m4a, "cut.m4a"), "cut.m4a': not an audio file")

    def test_unreadable_file(self):
        os.chmod(self.wav, 0o600)
        try:
            self.check_as_nobody(self.wav, "a3.wav': Permission denied")
        finally:
            os.chmod(self.wav, 0o644)

    def check_as_nobody(self, path, message):
        self.assertError(run(path, preexec_fn=as_nobody()), 2, message)

    def test_a_playlist_may_not_reach_the_network(self):
        with open(self.path("list.m3u8"), "w") as f:
            f.write("#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/a.wav\n")
        self.check(self.path("list.m3u8"), "list.m3u8': not an audio file")

    def test_inputs_the_fuzzer_found(self):
        """Every input the fuzzers found is kept; each must end quickly with a clear answer."""
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz_regressions")
        names = sorted(os.listdir(folder))
        self.assertGreater(len(names), 0)
        for name in names:
            with self.subTest(name):
                result = run(os.path.join(folder, name), "--pitch", self.path("t.csv"),
                             timeout=5)
                self.assertIn(result.returncode, (0, 2), result.stderr)
                if result.returncode == 2:
                    self.assertError(result, 2, name + "': ")
                self.assertNoTempFiles()


class OddButValidAudio(Fixture):
    """Exit 0 and a complete track."""

    def track(self, path, *args):
        result = run(path, "--pitch", "-", "--quiet", *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return read_track(result.stdout.decode()), result.stderr.decode()

    def test_nan_and_inf_in_a_float_wav_are_read_as_zero_with_a_warning(self):
        signal = tone(220.0, 1.0)
        signal[1000:1010] = np.nan
        signal[20000] = np.inf
        signal[30000] = -np.inf
        write_audio(self.path("nan.wav"), signal, subtype="FLOAT")
        rows, err = self.track(self.path("nan.wav"))
        self.assertIn("12 NaN/Inf samples read as 0", err)
        self.assertEqual(len(rows), 100)
        self.assertLess(abs(median_voiced_cents(rows, 220.0)), 5)

    def test_zero_length_audio_gives_an_empty_track_and_a_warning(self):
        write_audio(self.path("zero.wav"), np.zeros(0))
        rows, err = self.track(self.path("zero.wav"))
        self.assertEqual(rows, [])
        self.assertIn("no audio samples", err)

    def test_one_sample(self):
        write_audio(self.path("one.wav"), np.array([0.5]))
        rows, _ = self.track(self.path("one.wav"))
        # One frame, unvoiced and without confidence. Its frequency column may hold a best
        # guess (docs/FORMATS.md): the anti-aliasing filter spreads the click into a short
        # ringing whose NSDF can have a (meaningless) key maximum.
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], 0.0)
        self.assertEqual(rows[0][3], 0.0)
        self.assertLess(rows[0][2], 0.05)

    def test_silence_and_dc_are_unvoiced(self):
        for name, signal in [("silence", np.zeros(44100)), ("dc", np.full(44100, 0.6))]:
            write_audio(self.path(name + ".wav"), signal)
            rows, _ = self.track(self.path(name + ".wav"))
            self.assertEqual(len(rows), 100)
            self.assertEqual(sum(r[3] for r in rows), 0, name)

    def test_full_scale_clipped_square(self):
        t = np.arange(44100) / 44100
        square = np.clip(4.0 * np.sign(np.sin(2 * np.pi * 196.0 * t)), -1, 1)
        write_audio(self.path("square.wav"), square)
        rows, _ = self.track(self.path("square.wav"))
        self.assertLess(abs(median_voiced_cents(rows, 196.0)), 5)

    def test_sample_rates(self):
        for rate in (8000, 192000, 384000):
            write_audio(self.path(f"r{rate}.wav"), tone(220.0, 0.5, rate), rate=rate)
            rows, _ = self.track(self.path(f"r{rate}.wav"))
            self.assertEqual(len(rows), 50, rate)
            self.assertLess(abs(median_voiced_cents(rows, 220.0)), 5, rate)

    def test_channel_counts(self):
        for channels in (1, 2, 6, 8):
            write_audio(self.path(f"c{channels}.wav"), tone(330.0, 0.5), channels=channels)
            rows, _ = self.track(self.path(f"c{channels}.wav"))
            self.assertLess(abs(median_voiced_cents(rows, 330.0)), 5, channels)

    def test_sample_formats(self):
        for subtype in ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"):
            write_audio(self.path(f"{subtype}.wav"), tone(440.0, 0.5), subtype=subtype)
            rows, _ = self.track(self.path(f"{subtype}.wav"))
            self.assertEqual(len(rows), 50, subtype)
            self.assertLess(abs(median_voiced_cents(rows, 440.0)), 5, subtype)


class BadOutputAndOptions(Fixture):
    def test_output_in_a_missing_directory(self):
        self.assertError(run(self.wav, "--pitch", self.path("missing/track.csv")), 2,
                         "track.csv': cannot write: No such file or directory")

    def test_output_in_a_read_only_directory(self):
        ro = self.path("ro")
        os.mkdir(ro, 0o555)
        result = run(self.wav, "--pitch", os.path.join(ro, "t.csv"), preexec_fn=as_nobody())
        self.assertError(result, 2, "t.csv': cannot write: Permission denied")
        self.assertEqual(os.listdir(ro), [])

    def test_output_equal_to_input_is_refused(self):
        size = os.path.getsize(self.wav)
        self.assertError(run(self.wav, "--pitch", self.wav), 2,
                         "refusing to overwrite the input file")
        self.assertEqual(os.path.getsize(self.wav), size)

    def test_the_same_option_twice_conflicts(self):
        self.assertError(run(self.wav, "--hop", "0.01", "--hop", "0.02"), 2, "--hop")

    def test_out_of_range_values_name_the_option(self):
        for args, message in [(["--hop", "0"], "--hop must be > 0"),
                              (["--hop", "-1"], "--hop must be > 0"),
                              (["--fmin", "500", "--fmax", "400"],
                               "--fmin must be less than --fmax"),
                              (["--fmin", "0"], "--fmin must be > 0"),
                              (["--a4", "0"], "--a4 must be > 0"),
                              (["--a4", "-440"], "--a4 must be > 0"),
                              (["--hop", "abc"], "--hop")]:
            self.assertError(run(self.wav, *args), 2, message)


if __name__ == "__main__":
    unittest.main(verbosity=2)
