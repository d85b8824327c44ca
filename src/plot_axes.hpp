// Internal: the piano roll's axes (src/piano_roll.cpp): the plot area inside the margins, the
// times and notes it shows and where they fall on the canvas; the note rows (with a keyboard
// left of them) and the time ticks drawn from them.
#pragma once

#include "pitchscribe/note_names.hpp"
#include "pitchscribe/notes.hpp"
#include "pitchscribe/pitch_track.hpp"

#include <cairo.h>
#include <span>

namespace pitchscribe::plot {

struct RollAxes {
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0; // the plot area on the (unscaled) canvas
    double t0 = 0, t1 = 1;                 // seconds along x
    int lo = 60, hi = 72;                  // MIDI rows along y, bottom to top

    double x(double t) const { return x0 + (t - t0) / (t1 - t0) * (x1 - x0); }
    double row_height() const { return (y1 - y0) / (hi - lo + 1); }
    // Row m spans [m - 0.5, m + 0.5] in fractional MIDI numbers.
    double y(double midi) const { return y1 - (midi - (lo - 0.5)) * row_height(); }
};

// The axes of a width x height canvas: time from 0 to the last note's end or frame; the rows
// of the usable notes (else of the voiced frames) padded by two, at least an octave.
RollAxes choose_axes(std::span<const Note> notes, std::span<const PitchFrame> track,
                     const Tuning& tuning, double width, double height);

// The rows across the plot area (black keys shaded, C's marked), the keyboard and note names.
void draw_note_rows(cairo_t* cr, const RollAxes& axes);
// Ticks and labels under the plot area, and the axis title above the canvas' bottom edge.
void draw_time_axis(cairo_t* cr, const RollAxes& axes, double height);

} // namespace pitchscribe::plot
