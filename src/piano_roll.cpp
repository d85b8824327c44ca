// The piano-roll picture: its axes (plot_axes.*) with the transcription drawn on them
// (plot_transcription.*), the frame, titles and legend, rendered as PNG, SVG or PDF in memory.
#include "pitchscribe/piano_roll.hpp"

#include "plot_drawing.hpp"
#include "plot_transcription.hpp"

#include <algorithm>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string_view>

namespace pitchscribe {

namespace {

using namespace plot;

class PianoRoll {
public:
    PianoRoll(cairo_t* cr, std::span<const Note> notes, std::span<const PitchFrame> track,
              const PlotOptions& options, double width, double height)
        : cr_(cr), notes_(notes), track_(track), options_(options), height_(height),
          axes_(choose_axes(notes, track, options.tuning, width, height)) {}

    void draw() {
        set_colour(cr_, kBackground);
        cairo_paint(cr_);
        draw_note_rows(cr_, axes_);
        draw_time_axis(cr_, axes_, height_);
        cairo_save(cr_);
        cairo_rectangle(cr_, axes_.x0, axes_.y0, axes_.x1 - axes_.x0, axes_.y1 - axes_.y0);
        cairo_clip(cr_);
        const std::vector<NoteBar> bars = draw_note_bars(cr_, axes_, notes_);
        draw_pitch_track(cr_, axes_, track_, options_.tuning);
        draw_note_names(cr_, axes_, bars);
        cairo_restore(cr_);
        draw_frame_and_titles();
    }

private:
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
        cairo_rectangle(cr_, axes_.x0 - kKeys, axes_.y0, axes_.x1 - axes_.x0 + kKeys,
                        axes_.y1 - axes_.y0);
        cairo_move_to(cr_, axes_.x0, axes_.y0); // the keyboard's edge
        cairo_line_to(cr_, axes_.x0, axes_.y1);
        cairo_stroke(cr_);

        set_colour(cr_, kText);
        font(cr_, 16, true);
        put_text(cr_, options_.title, axes_.x0 - kKeys, kTop / 2);
        const double after_title =
            axes_.x0 - kKeys + text_width(cr_, options_.title) + (options_.title.empty() ? 0 : 14);
        font(cr_, 12);
        set_colour(cr_, kMutedText);
        put_text(cr_, subtitle(), after_title, kTop / 2);

        // Legend, right-aligned in the title band.
        font(cr_, 11);
        const double ly = kTop / 2;
        double lx = axes_.x1 - text_width(cr_, "pitch track");
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
        cairo_translate(cr_, 14, (axes_.y0 + axes_.y1) / 2);
        cairo_rotate(cr_, -kPi / 2);
        put_text(cr_, "note", 0, 0, 0.5);
        cairo_restore(cr_);

        if (std::none_of(notes_.begin(), notes_.end(), usable)) {
            font(cr_, 18);
            set_colour(cr_, kMutedText);
            put_text(cr_, "no notes", (axes_.x0 + axes_.x1) / 2, (axes_.y0 + axes_.y1) / 2, 0.5);
        }
    }

    cairo_t* cr_;
    std::span<const Note> notes_;
    std::span<const PitchFrame> track_;
    const PlotOptions& options_;
    double height_;
    RollAxes axes_;
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
