#!/usr/bin/env -S /usr/bin/python3
"""End-to-end tests of the note outputs: CSV, JSON, MIDI (read back with mido), the plot,
and the bundled example transcribed as the notes it was rendered from.

Run by ctest with PITCHSCRIBE set to the binary."""
import csv
import io
import json
import os
import pty
import struct
import subprocess
import sys
import unittest

import mido
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_harness import BINARY, Fixture, read_track, run, tone, write_audio  # noqa

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLE = os.path.join(REPO, "examples", "guitar_tuning.flac")
NOTES_HEADER = ["onset", "offset", "frequency", "midi", "note", "confidence"]
TICK = 0.5 / 480  # seconds per tick at 120 bpm, 480 per quarter


def read_notes_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == NOTES_HEADER, rows[0]
    return [(float(r[0]), float(r[1]), float(r[2]), int(r[3]), r[4], float(r[5])) for r in rows[1:]]


def expected_example_notes():
    with open(os.path.join(REPO, "examples", "guitar_tuning.notes.txt")) as f:
        rows = [line.split() for line in f if not line.startswith("#")]
    return [(float(r[0]), r[1], int(r[2])) for r in rows]


def midi_notes(path):
    """(onset, offset, note, velocity) in seconds, through mido's tempo handling."""
    t, active, notes = 0.0, {}, []
    for msg in mido.MidiFile(path):
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            active[msg.note] = (t, msg.velocity)
        elif msg.type in ("note_on", "note_off") and msg.note in active:
            on, velocity = active.pop(msg.note)
            notes.append((on, t, msg.note, velocity))
    return sorted(notes)


class Example(Fixture):
    def test_the_tuning_example_is_six_strings_twice_in_order(self):
        result = run(EXAMPLE, "--notes", "-", "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        notes = read_notes_csv(result.stdout.decode())
        expected = expected_example_notes()
        self.assertEqual([n[4] for n in notes], [e[1] for e in expected])
        self.assertEqual([n[4] for n in notes[:6]], ["E2", "A2", "D3", "G3", "B3", "E4"])
        for n, e in zip(notes, expected):
            self.assertLess(abs(n[0] - e[0]), 0.05, (n, e))  # mir_eval's onset tolerance

    def test_the_track_holds_every_string_in_its_octave(self):
        # The low E's fundamental is 26 dB under its second harmonic: half its period is
        # almost as periodic as the period, and a key-maximum rule alone reads E3.
        result = run(EXAMPLE, "--pitch", "-", "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        track = np.array([[float(v) for v in line.split(",")]
                          for line in result.stdout.decode().splitlines()[1:]])
        with open(os.path.join(REPO, "examples", "guitar_tuning.notes.txt")) as f:
            rows_txt = [line.split() for line in f if not line.startswith("#")]
        for onset, name, hz, offset in [(float(r[0]), r[1], float(r[3]), float(r[4])) for r in rows_txt]:
            held = track[(track[:, 0] > onset + 0.1) & (track[:, 0] < offset - 0.1)
                         & (track[:, 3] == 1)]
            off = np.abs(1200 * np.log2(held[:, 1] / hz)) > 50
            self.assertLess(off.mean(), 0.02, (name, onset, held[off][:5, :2]))


class Formats(Fixture):
    def setUp(self):
        super().setUp()
        # A4, rest, C5 twice (struck again), G4: notes with known times.
        parts = [tone(440.0, 0.5), 0 * tone(1, 0.3), tone(523.25, 0.4) * decay(0.4),
                 tone(523.25, 0.4) * decay(0.4), tone(392.0, 0.6)]
        self.melody = self.path("melody.wav")
        write_audio(self.melody, np.concatenate(parts))

    def transcribe(self, *outputs):
        result = run(self.melody, *outputs, "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_notes_csv_names_times_and_repeated_notes(self):
        notes = read_notes_csv(self.transcribe("--notes", "-").stdout.decode())
        self.assertEqual([n[4] for n in notes], ["A4", "C5", "C5", "G4"])
        for n, onset in zip(notes, [0.0, 0.8, 1.2, 1.6]):
            self.assertLess(abs(n[0] - onset), 0.03, n)
            self.assertGreater(n[1], n[0])
            self.assertTrue(0.9 <= n[5] <= 1.0)
        self.assertAlmostEqual(notes[0][2], 440.0, delta=1.0)

    def test_midi_reads_back_with_mido_as_the_csv_says(self):
        mid, out = self.path("m.mid"), self.path("m.csv")
        self.transcribe("--midi", mid, "--notes", out)
        with open(out) as f:
            notes = read_notes_csv(f.read())
        back = midi_notes(mid)
        self.assertEqual([b[2] for b in back], [n[3] for n in notes])
        for b, n in zip(back, notes):
            self.assertLess(abs(b[0] - n[0]), TICK)
            self.assertLess(abs(b[1] - n[1]), TICK)
            self.assertTrue(1 <= b[3] <= 127)
        f = mido.MidiFile(mid)
        self.assertEqual((f.type, len(f.tracks), f.ticks_per_beat), (1, 2, 480))
        meta = [m.type for m in f.tracks[0]]
        self.assertIn("set_tempo", meta)
        self.assertIn("time_signature", meta)

    def test_notes_with_a_mid_extension_is_the_same_midi_file(self):
        self.transcribe("--midi", self.path("a.mid"), "--notes", self.path("b.MID"))
        with open(self.path("a.mid"), "rb") as a, open(self.path("b.MID"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_json_holds_notes_track_and_settings(self):
        doc = json.loads(self.transcribe("--json", "-", "--a4", "442").stdout)
        csv_notes = read_notes_csv(self.transcribe("--notes", "-", "--a4", "442").stdout.decode())
        self.assertEqual([n["note"] for n in doc["notes"]], [n[4] for n in csv_notes])
        self.assertEqual([n["midi"] for n in doc["notes"]], [n[3] for n in csv_notes])
        self.assertEqual(doc["settings"]["a4"], 442)
        track = read_track(self.transcribe("--pitch", "-").stdout.decode())
        frames = doc["track"]["frames"]
        self.assertEqual(len(frames), len(track))
        self.assertEqual(sum(f[3] for f in frames), sum(t[3] for t in track))
        path = self.path("notes.json")  # --notes with .json writes the same document
        self.transcribe("--notes", path, "--a4", "442")
        with open(path) as f:
            self.assertEqual(json.load(f)["notes"], doc["notes"])

    def test_plot_is_a_1200_by_600_png(self):
        png = self.path("roll.png")
        self.transcribe("--plot", png)
        with open(png, "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(struct.unpack(">II", data[16:24]), (1200, 600))
        self.assertGreater(len(data), 20000)  # bars, labels and a grid, not a blank page

    def test_plot_svg_and_pdf(self):
        self.transcribe("--plot", self.path("roll.svg"), "--midi", self.path("x.mid"))
        with open(self.path("roll.svg")) as f:
            self.assertIn("<svg", f.read(500))
        self.transcribe("--plot", self.path("roll.pdf"))
        with open(self.path("roll.pdf"), "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")

    def test_no_progress_bar_in_a_pipe(self):
        result = run(self.melody, "--notes", self.path("n.csv"))
        self.assertNotIn(b"\r", result.stderr)
        self.assertEqual(len(result.stderr.decode().splitlines()), 1)  # the summary only


class Progress(Fixture):
    def test_a_progress_bar_on_a_terminal_for_a_long_input(self):
        """stderr on a pseudo-terminal: the bar is drawn with a percentage and the speed,
        then cleared before the summary line."""
        # The run must outlast the bar's first 100 ms on any machine, and five minutes of audio
        # at the default hop took 97 ms on CI's. A minute at a 0.5 ms hop on one thread is 120,000
        # frames: about 1.4 s here, so a machine ten times faster still draws the bar.
        write_audio(self.path("long.wav"), np.tile(tone(220.0, 10.0), 6))
        main, sub = pty.openpty()
        command = [BINARY, self.path("long.wav"), "--notes", self.path("p.csv"), "--hop", "0.0005",
                   "--threads", "1"]
        result = subprocess.run(command, stderr=sub, stdout=subprocess.DEVNULL, timeout=60)
        os.close(sub)
        err = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # EIO once the child side is closed
                break
            if not chunk:
                break
            err += chunk
        os.close(main)
        self.assertEqual(result.returncode, 0)
        self.assertRegex(err.decode(), r"\r\[[#-]+\] +\d+%  [\d.]+x real time")
        self.assertIn("\r\x1b[Kpitchscribe: '", err.decode())  # cleared, then the summary


class Refusals(Fixture):
    def test_unknown_notes_and_plot_types(self):
        self.assertError(run(self.wav, "--notes", self.path("n.txt")), 2,
                         "--notes: unknown file type '.txt' (use .csv, .json or .mid)")
        self.assertError(run(self.wav, "--plot", self.path("p.gif"), "--pitch", self.path("t.csv")),
                         2, "--plot: unknown image type")
        self.assertNoOutputs("n.txt", "p.gif", "t.csv")

    def test_two_outputs_into_one_file(self):
        same = self.path("same.csv")
        self.assertError(run(self.wav, "--pitch", same, "--notes", same), 2,
                         "--pitch and --notes cannot both write to")
        self.assertError(run(self.wav, "--pitch", "-", "--json", "-"), 2,
                         "--pitch and --json cannot both write to '-'")
        self.assertNoOutputs("same.csv")

    def test_a_failed_run_leaves_no_output_at_all(self):
        with open(self.path("bad.wav"), "wb") as f:
            f.write(b"RIFF not really")
        outs = [self.path(n) for n in ("n.csv", "n.mid", "n.json", "n.png")]
        result = run(self.path("bad.wav"), "--notes", outs[0], "--midi", outs[1], "--json",
                     outs[2], "--plot", outs[3])
        self.assertError(result, 2, "bad.wav': not an audio file")
        self.assertEqual(result.stdout, b"")
        for out in outs:
            self.assertFalse(os.path.exists(out), out)
        self.assertNoTempFiles()

    def assertNoOutputs(self, *names):
        for name in names:
            self.assertFalse(os.path.exists(self.path(name)), name)
        self.assertNoTempFiles()


def decay(seconds, rate=44100):
    return np.exp(-3.0 * np.arange(int(seconds * rate)) / rate)


if __name__ == "__main__":
    unittest.main(verbosity=2)
