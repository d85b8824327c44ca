// The piano roll's axes: which times and notes it shows, and the note rows and time ticks.
#include "plot_axes.hpp"

#include "plot_drawing.hpp"

#include <algorithm>
#include <cmath>

namespace pitchscribe::plot {

RollAxes choose_axes(std::span<const Note> notes, std::span<const PitchFrame> track,
                     const Tuning& tuning, double width, double height) {
    RollAxes a;
    a.x0 = kLeft + kKeys;
    a.x1 = width - kRight;
    a.y0 = kTop;
    a.y1 = height - kBottom;
    int lo = 1000, hi = -1000;
    a.t1 = 0;
    for (const Note& n : notes) {
        if (!usable(n)) continue;
        lo = std::min(lo, n.midi);
        hi = std::max(hi, n.midi);
        a.t1 = std::max(a.t1, n.offset);
    }
    int track_lo = 1000, track_hi = -1000; // the range when there are no notes
    for (const PitchFrame& f : track) {
        if (std::isfinite(f.time)) a.t1 = std::max(a.t1, f.time);
        if (f.voiced && f.frequency > 0 && std::isfinite(f.frequency)) {
            const double m = std::round(midi_from_frequency(f.frequency, tuning));
            track_lo = std::min(track_lo, static_cast<int>(std::max(m, -10.0)));
            track_hi = std::max(track_hi, static_cast<int>(std::min(m, 140.0)));
        }
    }
    if (lo > hi) lo = track_lo, hi = track_hi;
    if (lo > hi) lo = 62, hi = 70; // C4..C5 once padded
    lo = std::clamp(lo - 2, -2, 129);
    hi = std::clamp(hi + 2, lo, 129);
    while (hi - lo < 12) { // at least an octave, grown evenly about the middle
        (hi - lo) % 2 == 0 ? ++hi : --lo;
    }
    a.lo = lo, a.hi = hi;
    a.t0 = 0;
    if (!(a.t1 > 0)) a.t1 = 1;
    return a;
}

void draw_note_rows(cairo_t* cr, const RollAxes& axes) {
    const double h = axes.row_height();
    // Every note name when rows are tall enough, else naturals, else only the C's.
    // Naturals include neighbours (E F, B C), so they need nearly as tall rows as all.
    const int mode = h >= 13 ? 0 : h >= 9.5 ? 1 : 2;
    font(cr, mode == 1 ? std::clamp(h - 0.5, 9.0, 11.0) : 11.0);
    for (int m = axes.lo; m <= axes.hi; ++m) {
        const double top = axes.y(m + 0.5);
        if (is_black_key(m)) {
            set_colour(cr, kBlackKeyRow);
            cairo_rectangle(cr, axes.x0, top, axes.x1 - axes.x0, h);
            cairo_fill(cr);
        }
        // The keyboard left of the plot, as on a sequencer's piano roll: black keys
        // reach 60 % across, white keys are separated where two of them meet.
        if (is_black_key(m)) {
            set_colour(cr, Rgb{0.2, 0.22, 0.25});
            cairo_rectangle(cr, axes.x0 - kKeys, top + 0.5, 0.6 * kKeys, h - 1);
            cairo_fill(cr);
        }
        const bool c_row = ((m % 12) + 12) % 12 == 0;
        const bool white_pair = !is_black_key(m) && !is_black_key(m - 1);
        set_colour(cr, kOctaveLine);
        cairo_set_line_width(cr, 0.6);
        cairo_move_to(cr, axes.x0 - kKeys, axes.y(m - 0.5));
        cairo_rel_line_to(cr, white_pair ? kKeys : 0, 0);
        cairo_stroke(cr);
        set_colour(cr, c_row ? kOctaveLine : kGrid, c_row ? 1.0 : 0.5);
        cairo_set_line_width(cr, c_row ? 1.0 : 0.5);
        cairo_move_to(cr, axes.x0, axes.y(m - 0.5));
        cairo_line_to(cr, axes.x1, axes.y(m - 0.5));
        cairo_stroke(cr);
        if (mode == 0 || (mode == 1 && !is_black_key(m)) || c_row) {
            set_colour(cr, c_row ? kText : kMutedText);
            put_text(cr, note_name(m), axes.x0 - kKeys - 5, axes.y(m), 1.0);
        }
    }
}

void draw_time_axis(cairo_t* cr, const RollAxes& axes, double height) {
    const double step = nice_step(axes.t1 - axes.t0, (axes.x1 - axes.x0) / 90);
    font(cr, 11);
    for (long i = 0;; ++i) {
        const double t = axes.t0 + static_cast<double>(i) * step;
        if (t > axes.t1 + step * 1e-9) break;
        const double px = axes.x(t);
        set_colour(cr, kGrid);
        cairo_set_line_width(cr, 0.6);
        cairo_move_to(cr, px, axes.y0);
        cairo_line_to(cr, px, axes.y1 + 4);
        cairo_stroke(cr);
        set_colour(cr, kMutedText);
        put_text(cr, time_label(t, step), px, axes.y1 + 14, 0.5);
    }
    font(cr, 12);
    set_colour(cr, kText);
    put_text(cr, step >= 60 ? "time" : "time (s)", (axes.x0 + axes.x1) / 2, height - 14, 0.5);
}

} // namespace pitchscribe::plot
