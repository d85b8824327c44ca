// Internal: the cairo drawing helpers and the palette of the piano roll (src/piano_roll.cpp,
// src/plot_axes.cpp, src/plot_transcription.cpp).
#pragma once

#include "pitchscribe/notes.hpp"

#include <cairo.h>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

namespace pitchscribe::plot {

struct Rgb {
    double r, g, b;
};

// A palette that survives greyscale printing: blue bars, an orange track over them.
inline constexpr Rgb kBackground{1.0, 1.0, 1.0};
inline constexpr Rgb kBlackKeyRow{0.925, 0.933, 0.945};
inline constexpr Rgb kGrid{0.80, 0.82, 0.85};
inline constexpr Rgb kOctaveLine{0.62, 0.65, 0.70};
inline constexpr Rgb kText{0.13, 0.15, 0.18};
inline constexpr Rgb kMutedText{0.42, 0.45, 0.50};
inline constexpr Rgb kNoteFill{0.231, 0.435, 0.820};
inline constexpr Rgb kNoteEdge{0.12, 0.27, 0.58};
inline constexpr Rgb kTrack{0.90, 0.35, 0.10};

// Logical canvas 1200 x 600 scaled; the plot area inside the margins.
inline constexpr double kPi = std::numbers::pi;
inline constexpr double kLeft = 56, kKeys = 24, kRight = 18, kTop = 46, kBottom = 52;

struct CairoDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoDeleter>;
using ContextPtr = std::unique_ptr<cairo_t, CairoDeleter>;

// Appends cairo's output stream to a std::vector<unsigned char> (the closure).
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length);
void set_colour(cairo_t* cr, Rgb c, double alpha = 1.0);
bool is_black_key(int midi);
// A note with finite times and a positive length.
bool usable(const Note& n);
// Draws `text` with its left edge (align 0), centre (0.5) or right edge (1) at x and its
// vertical centre (of the digits' height) at y.
void put_text(cairo_t* cr, const std::string& text, double x, double y, double align = 0.0);
double text_width(cairo_t* cr, const std::string& text);
void font(cairo_t* cr, double size, bool bold = false);
void rounded_rect(cairo_t* cr, double x, double y, double w, double h, double r);
// A 1-2-5 step (or seconds/minutes/hours beyond 10 s) giving at most `max_ticks` ticks.
double nice_step(double range, double max_ticks);
std::string time_label(double t, double step);

} // namespace pitchscribe::plot
