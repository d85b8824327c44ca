// The transcription on the piano roll: the notes' bars and names, the pitch track over them.
#include "plot_transcription.hpp"

#include "plot_drawing.hpp"

#include <algorithm>
#include <cmath>

namespace pitchscribe::plot {

std::vector<NoteBar> draw_note_bars(cairo_t* cr, const RollAxes& axes,
                                    std::span<const Note> notes) {
    const double h = std::max(2.0, axes.row_height() * 0.78);
    std::vector<NoteBar> bars;
    for (const Note& n : notes) {
        if (!usable(n) || n.midi < axes.lo || n.midi > axes.hi) continue;
        const double left = axes.x(n.onset), w = std::max(axes.x(n.offset) - left, 1.5);
        const double top = axes.y(n.midi) - h / 2;
        const double c = std::isfinite(n.confidence) ? std::clamp(n.confidence, 0.0, 1.0) : 0;
        rounded_rect(cr, left, top, w, h, 4);
        set_colour(cr, kNoteFill, 0.3 + 0.7 * c);
        cairo_fill_preserve(cr);
        set_colour(cr, kNoteEdge, 0.5 + 0.5 * c);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        bars.push_back({n, left, w, top, h, c});
    }
    return bars;
}

void draw_pitch_track(cairo_t* cr, const RollAxes& axes, std::span<const PitchFrame> track,
                      const Tuning& tuning) {
    set_colour(cr, kTrack, 0.95);
    cairo_set_line_width(cr, 1.6);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    bool open = false;
    double last_t = 0, last_m = 0, px = 0, py = 0;
    double hop = 0;
    for (const PitchFrame& f : track) {
        const bool ok =
            f.voiced && f.frequency > 0 && std::isfinite(f.frequency) && std::isfinite(f.time);
        if (!ok) {
            open = false;
            continue;
        }
        const double m = midi_from_frequency(f.frequency, tuning);
        if (open && hop == 0 && f.time > last_t) hop = f.time - last_t;
        // Break the line at an octave jump or a note change, and across missing frames.
        const bool join = open && std::abs(m - last_m) <= 0.8 && f.time - last_t <= 2.5 * hop;
        const double qx = axes.x(f.time), qy = axes.y(m);
        if (!join) {
            cairo_move_to(cr, qx, qy);
            cairo_line_to(cr, qx, qy); // a lone frame still shows as a dot
            px = qx, py = qy;
        } else if (std::abs(qx - px) >= 0.5 || std::abs(qy - py) >= 0.5) {
            cairo_line_to(cr, qx, qy); // dense tracks: at most ~2 points per pixel
            px = qx, py = qy;
        }
        open = true;
        last_t = f.time, last_m = m;
    }
    cairo_stroke(cr);
}

void draw_note_names(cairo_t* cr, const RollAxes& axes, std::span<const NoteBar> bars) {
    // Right end of the last name drawn above each row: names never overlap.
    std::vector<double> row_end(static_cast<std::size_t>(axes.hi - axes.lo + 1), -1e9);
    for (const NoteBar& b : bars) {
        const std::string name = b.note.name.empty() ? note_name(b.note.midi) : b.note.name;
        const bool inside = b.h >= 26;
        font(cr, inside ? 11 : std::clamp(b.h * 0.8, 8.0, 10.0), inside);
        const double w = text_width(cr, name);
        if (inside && w + 8 <= b.w) {
            set_colour(cr, b.confidence >= 0.5 ? kBackground : kText);
            put_text(cr, name, b.left + 5, b.top + 9);
        } else if (!inside && b.h >= 6 && w <= 2 * b.w) { // not on slivers
            double& end = row_end[static_cast<std::size_t>(b.note.midi - axes.lo)];
            if (b.left < end + 4) continue;
            end = b.left + 1 + w;
            set_colour(cr, kNoteEdge);
            put_text(cr, name, b.left + 1, b.top - 0.45 * axes.row_height());
        }
    }
}

} // namespace pitchscribe::plot
