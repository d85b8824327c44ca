#include "pitchscribe/piano_roll.hpp"

#include "plot_drawing.hpp"

#include <algorithm>
#include <array>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <string_view>

namespace pitchscribe {

namespace {

using namespace plot;

class PianoRoll {
public:
    PianoRoll(cairo_t* cr, std::span<const Note> notes, std::span<const PitchFrame> track,
              const PlotOptions& options, double width, double height)
        : cr_(cr), notes_(notes), track_(track), options_(options), height_(height) {
        x0_ = kLeft + kKeys;
        x1_ = width - kRight;
        y0_ = kTop;
        y1_ = height - kBottom;
        choose_ranges();
    }

    void draw() {
        set_colour(cr_, kBackground);
        cairo_paint(cr_);
        draw_rows();
        draw_time_axis();
        cairo_save(cr_);
        cairo_rectangle(cr_, x0_, y0_, x1_ - x0_, y1_ - y0_);
        cairo_clip(cr_);
        draw_notes();
        draw_track();
        draw_note_names();
        cairo_restore(cr_);
        draw_frame_and_titles();
    }

private:
    double x(double t) const { return x0_ + (t - t0_) / (t1_ - t0_) * (x1_ - x0_); }
    double row_height() const { return (y1_ - y0_) / (hi_ - lo_ + 1); }
    // Row m spans [m - 0.5, m + 0.5] in fractional MIDI numbers.
    double y(double midi) const { return y1_ - (midi - (lo_ - 0.5)) * row_height(); }

    void choose_ranges() {
        int lo = 1000, hi = -1000;
        t1_ = 0;
        for (const Note& n : notes_) {
            if (!usable(n)) continue;
            lo = std::min(lo, n.midi);
            hi = std::max(hi, n.midi);
            t1_ = std::max(t1_, n.offset);
        }
        int track_lo = 1000, track_hi = -1000; // the range when there are no notes
        for (const PitchFrame& f : track_) {
            if (std::isfinite(f.time)) t1_ = std::max(t1_, f.time);
            if (f.voiced && f.frequency > 0 && std::isfinite(f.frequency)) {
                const double m = std::round(midi_from_frequency(f.frequency, options_.tuning));
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
        lo_ = lo, hi_ = hi;
        t0_ = 0;
        if (!(t1_ > 0)) t1_ = 1;
    }

    void draw_rows() {
        const double h = row_height();
        // Every note name when rows are tall enough, else naturals, else only the C's.
        // Naturals include neighbours (E F, B C), so they need nearly as tall rows as all.
        const int mode = h >= 13 ? 0 : h >= 9.5 ? 1 : 2;
        font(cr_, mode == 1 ? std::clamp(h - 0.5, 9.0, 11.0) : 11.0);
        for (int m = lo_; m <= hi_; ++m) {
            const double top = y(m + 0.5);
            if (is_black_key(m)) {
                set_colour(cr_, kBlackKeyRow);
                cairo_rectangle(cr_, x0_, top, x1_ - x0_, h);
                cairo_fill(cr_);
            }
            // The keyboard left of the plot, as on a sequencer's piano roll: black keys
            // reach 60 % across, white keys are separated where two of them meet.
            if (is_black_key(m)) {
                set_colour(cr_, Rgb{0.2, 0.22, 0.25});
                cairo_rectangle(cr_, x0_ - kKeys, top + 0.5, 0.6 * kKeys, h - 1);
                cairo_fill(cr_);
            }
            const bool c_row = ((m % 12) + 12) % 12 == 0;
            const bool white_pair = !is_black_key(m) && !is_black_key(m - 1);
            set_colour(cr_, kOctaveLine);
            cairo_set_line_width(cr_, 0.6);
            cairo_move_to(cr_, x0_ - kKeys, y(m - 0.5));
            cairo_rel_line_to(cr_, white_pair ? kKeys : 0, 0);
            cairo_stroke(cr_);
            set_colour(cr_, c_row ? kOctaveLine : kGrid, c_row ? 1.0 : 0.5);
            cairo_set_line_width(cr_, c_row ? 1.0 : 0.5);
            cairo_move_to(cr_, x0_, y(m - 0.5));
            cairo_line_to(cr_, x1_, y(m - 0.5));
            cairo_stroke(cr_);
            if (mode == 0 || (mode == 1 && !is_black_key(m)) || c_row) {
                set_colour(cr_, c_row ? kText : kMutedText);
                put_text(cr_, note_name(m), x0_ - kKeys - 5, y(m), 1.0);
            }
        }
    }

    void draw_time_axis() {
        const double step = nice_step(t1_ - t0_, (x1_ - x0_) / 90);
        font(cr_, 11);
        for (long i = 0;; ++i) {
            const double t = t0_ + static_cast<double>(i) * step;
            if (t > t1_ + step * 1e-9) break;
            const double px = x(t);
            set_colour(cr_, kGrid);
            cairo_set_line_width(cr_, 0.6);
            cairo_move_to(cr_, px, y0_);
            cairo_line_to(cr_, px, y1_ + 4);
            cairo_stroke(cr_);
            set_colour(cr_, kMutedText);
            put_text(cr_, time_label(t, step), px, y1_ + 14, 0.5);
        }
        font(cr_, 12);
        set_colour(cr_, kText);
        put_text(cr_, step >= 60 ? "time" : "time (s)", (x0_ + x1_) / 2, height_ - 14, 0.5);
    }

    void draw_notes() {
        const double h = std::max(2.0, row_height() * 0.78);
        labels_.clear();
        for (const Note& n : notes_) {
            if (!usable(n) || n.midi < lo_ || n.midi > hi_) continue;
            const double left = x(n.onset), w = std::max(x(n.offset) - left, 1.5);
            const double top = y(n.midi) - h / 2;
            const double c = std::isfinite(n.confidence) ? std::clamp(n.confidence, 0.0, 1.0) : 0;
            rounded_rect(cr_, left, top, w, h, 4);
            set_colour(cr_, kNoteFill, 0.3 + 0.7 * c);
            cairo_fill_preserve(cr_);
            set_colour(cr_, kNoteEdge, 0.5 + 0.5 * c);
            cairo_set_line_width(cr_, 1);
            cairo_stroke(cr_);
            labels_.push_back({n, left, w, top, h, c});
        }
    }

    // Names go inside a bar tall enough to keep them clear of the pitch track at its middle,
    // else just above the bar's start, where a monophonic line leaves the row empty.
    void draw_note_names() {
        // Right end of the last name drawn above each row: names never overlap.
        std::vector<double> row_end(static_cast<std::size_t>(hi_ - lo_ + 1), -1e9);
        for (const Label& l : labels_) {
            const std::string name = l.note.name.empty() ? note_name(l.note.midi) : l.note.name;
            const bool inside = l.h >= 26;
            font(cr_, inside ? 11 : std::clamp(l.h * 0.8, 8.0, 10.0), inside);
            const double w = text_width(cr_, name);
            if (inside && w + 8 <= l.w) {
                set_colour(cr_, l.confidence >= 0.5 ? kBackground : kText);
                put_text(cr_, name, l.left + 5, l.top + 9);
            } else if (!inside && l.h >= 6 && w <= 2 * l.w) { // not on slivers
                double& end = row_end[static_cast<std::size_t>(l.note.midi - lo_)];
                if (l.left < end + 4) continue;
                end = l.left + 1 + w;
                set_colour(cr_, kNoteEdge);
                put_text(cr_, name, l.left + 1, l.top - 0.45 * row_height());
            }
        }
    }

    void draw_track() {
        set_colour(cr_, kTrack, 0.95);
        cairo_set_line_width(cr_, 1.6);
        cairo_set_line_cap(cr_, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
        bool open = false;
        double last_t = 0, last_m = 0, px = 0, py = 0;
        double hop = 0;
        for (const PitchFrame& f : track_) {
            const bool ok =
                f.voiced && f.frequency > 0 && std::isfinite(f.frequency) && std::isfinite(f.time);
            if (!ok) {
                open = false;
                continue;
            }
            const double m = midi_from_frequency(f.frequency, options_.tuning);
            if (open && hop == 0 && f.time > last_t) hop = f.time - last_t;
            // Break the line at an octave jump or a note change, and across missing frames.
            const bool join = open && std::abs(m - last_m) <= 0.8 && f.time - last_t <= 2.5 * hop;
            const double qx = x(f.time), qy = y(m);
            if (!join) {
                cairo_move_to(cr_, qx, qy);
                cairo_line_to(cr_, qx, qy); // a lone frame still shows as a dot
                px = qx, py = qy;
            } else if (std::abs(qx - px) >= 0.5 || std::abs(qy - py) >= 0.5) {
                cairo_line_to(cr_, qx, qy); // dense tracks: at most ~2 points per pixel
                px = qx, py = qy;
            }
            open = true;
            last_t = f.time, last_m = m;
        }
        cairo_stroke(cr_);
    }

    // "6 notes", plus the tuning when it is not the usual one.
    std::string subtitle() const {
        const auto count = std::count_if(notes_.begin(), notes_.end(), usable);
        std::string text = std::to_string(count) + (count == 1 ? " note" : " notes");
        if (options_.tuning.a4 != 440.0) {
            char buf[48];
            std::snprintf(buf, sizeof buf, ", A4 = %g Hz", options_.tuning.a4);
            text += buf;
        }
        return text;
    }

    void draw_frame_and_titles() {
        set_colour(cr_, kOctaveLine);
        cairo_set_line_width(cr_, 1);
        cairo_rectangle(cr_, x0_ - kKeys, y0_, x1_ - x0_ + kKeys, y1_ - y0_);
        cairo_move_to(cr_, x0_, y0_); // the keyboard's edge
        cairo_line_to(cr_, x0_, y1_);
        cairo_stroke(cr_);

        set_colour(cr_, kText);
        font(cr_, 16, true);
        put_text(cr_, options_.title, x0_ - kKeys, kTop / 2);
        const double after_title =
            x0_ - kKeys + text_width(cr_, options_.title) + (options_.title.empty() ? 0 : 14);
        font(cr_, 12);
        set_colour(cr_, kMutedText);
        put_text(cr_, subtitle(), after_title, kTop / 2);

        // Legend, right-aligned in the title band.
        font(cr_, 11);
        const double ly = kTop / 2;
        double lx = x1_ - text_width(cr_, "pitch track");
        set_colour(cr_, kMutedText);
        put_text(cr_, "pitch track", lx, ly);
        set_colour(cr_, kTrack);
        cairo_set_line_width(cr_, 1.6);
        cairo_move_to(cr_, lx - 26, ly);
        cairo_line_to(cr_, lx - 6, ly);
        cairo_stroke(cr_);
        lx -= 40 + text_width(cr_, "notes");
        set_colour(cr_, kMutedText);
        put_text(cr_, "notes", lx, ly);
        rounded_rect(cr_, lx - 26, ly - 5, 20, 10, 3);
        set_colour(cr_, kNoteFill);
        cairo_fill(cr_);

        font(cr_, 12);
        set_colour(cr_, kText);
        cairo_save(cr_);
        cairo_translate(cr_, 14, (y0_ + y1_) / 2);
        cairo_rotate(cr_, -kPi / 2);
        put_text(cr_, "note", 0, 0, 0.5);
        cairo_restore(cr_);

        if (std::none_of(notes_.begin(), notes_.end(), usable)) {
            font(cr_, 18);
            set_colour(cr_, kMutedText);
            put_text(cr_, "no notes", (x0_ + x1_) / 2, (y0_ + y1_) / 2, 0.5);
        }
    }

    struct Label {
        const Note& note;
        double left, w, top, h, confidence;
    };

    cairo_t* cr_;
    std::vector<Label> labels_;
    std::span<const Note> notes_;
    std::span<const PitchFrame> track_;
    const PlotOptions& options_;
    double height_;
    double x0_ = 0, x1_ = 0, y0_ = 0, y1_ = 0;
    double t0_ = 0, t1_ = 1;
    int lo_ = 60, hi_ = 72;
};

SurfacePtr make_surface(const PlotOptions& o, std::vector<unsigned char>& out) {
    switch (o.format) {
    case PlotFormat::Svg: {
        SurfacePtr s(cairo_svg_surface_create_for_stream(append_bytes, &out, o.width, o.height));
        cairo_svg_surface_set_document_unit(s.get(), CAIRO_SVG_UNIT_PX);
        return s;
    }
    case PlotFormat::Pdf: {
        SurfacePtr s(cairo_pdf_surface_create_for_stream(append_bytes, &out, o.width, o.height));
        // cairo stamps the time of day into the PDF unless told a date; "" leaves it out.
        cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
        cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_TITLE, o.title.c_str());
        cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_CREATOR, "pitchscribe");
        return s;
    }
    case PlotFormat::Png:
        break;
    }
    return SurfacePtr(cairo_image_surface_create(CAIRO_FORMAT_RGB24, o.width, o.height));
}

// cairo names the SVG page group after a process-wide surface counter ("surface6" in the
// second picture a process draws); a fixed name keeps the output reproducible.
void fix_svg_surface_id(std::vector<unsigned char>& svg) {
    static constexpr std::string_view tag = "<g id=\"surface";
    const auto at = std::search(svg.begin(), svg.end(), tag.begin(), tag.end());
    if (at == svg.end()) return;
    auto digits_end = at + static_cast<std::ptrdiff_t>(tag.size());
    while (digits_end != svg.end() && std::isdigit(*digits_end))
        ++digits_end;
    const std::string_view fixed = "<g id=\"surface1";
    const auto offset = at - svg.begin();
    svg.erase(at, digits_end);
    svg.insert(svg.begin() + offset, fixed.begin(), fixed.end());
}

} // namespace

Expected<PlotFormat> plot_format_from_path(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    const std::size_t dot = path.find_last_of('.');
    std::string ext;
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
        ext = path.substr(dot);
    std::string lower = ext;
    for (char& ch : lower)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == ".png") return PlotFormat::Png;
    if (lower == ".svg") return PlotFormat::Svg;
    if (lower == ".pdf") return PlotFormat::Pdf;
    return Error{ErrorKind::InvalidArgument, "--plot: unknown image type '" +
                                                 (ext.empty() ? path : ext) +
                                                 "' (use .png, .svg or .pdf)"};
}

Expected<std::vector<unsigned char>> render_piano_roll(std::span<const Note> notes,
                                                       std::span<const PitchFrame> track,
                                                       const PlotOptions& options) {
    if (options.width < 100 || options.width > 10000 || options.height < 100 ||
        options.height > 10000)
        return Error{ErrorKind::InvalidArgument, "plot size " + std::to_string(options.width) +
                                                     "x" + std::to_string(options.height) +
                                                     " out of range (100..10000)"};
    std::vector<unsigned char> out;
    SurfacePtr surface = make_surface(options, out);
    {
        ContextPtr cr(cairo_create(surface.get()));
        // Text and margins are laid out for 1200 x 600 and scaled with the picture.
        const double scale = std::min(options.width / 1200.0, options.height / 600.0);
        const double s = std::clamp(scale, 0.75, 4.0); // below 0.75 text is unreadable
        cairo_scale(cr.get(), s, s);
        PianoRoll(cr.get(), notes, track, options, options.width / s, options.height / s).draw();
        if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
            return Error{ErrorKind::Processing,
                         std::string("plot: ") + cairo_status_to_string(cairo_status(cr.get()))};
    }
    cairo_status_t st = CAIRO_STATUS_SUCCESS;
    if (options.format == PlotFormat::Png)
        st = cairo_surface_write_to_png_stream(surface.get(), append_bytes, &out);
    else
        cairo_surface_finish(surface.get()); // vector surfaces write everything here
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(surface.get());
    if (st != CAIRO_STATUS_SUCCESS)
        return Error{ErrorKind::Processing, std::string("plot: ") + cairo_status_to_string(st)};
    if (options.format == PlotFormat::Svg) fix_svg_surface_id(out);
    return out;
}

} // namespace pitchscribe
