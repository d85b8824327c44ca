#include "plot_drawing.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace pitchscribe::plot {

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
    try {
        auto* out = static_cast<std::vector<unsigned char>*>(closure);
        out->insert(out->end(), data, data + length);
        return CAIRO_STATUS_SUCCESS;
    } catch (...) {
        return CAIRO_STATUS_NO_MEMORY; // an exception must not cross cairo's C frames
    }
}

void set_colour(cairo_t* cr, Rgb c, double alpha) {
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

bool is_black_key(int midi) {
    const int pc = ((midi % 12) + 12) % 12;
    return pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
}

bool usable(const Note& n) {
    return std::isfinite(n.onset) && std::isfinite(n.offset) && n.offset > n.onset;
}

void put_text(cairo_t* cr, const std::string& text, double x, double y, double align) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text.c_str(), &ext);
    cairo_font_extents_t font;
    cairo_font_extents(cr, &font);
    cairo_move_to(cr, x - ext.x_advance * align, y + 0.36 * font.ascent);
    cairo_show_text(cr, text.c_str());
}

double text_width(cairo_t* cr, const std::string& text) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text.c_str(), &ext);
    return ext.x_advance;
}

void font(cairo_t* cr, double size, bool bold) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

void rounded_rect(cairo_t* cr, double x, double y, double w, double h, double r) {
    r = std::min({r, w / 2, h / 2});
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -kPi / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, kPi / 2);
    cairo_arc(cr, x + r, y + h - r, r, kPi / 2, kPi);
    cairo_arc(cr, x + r, y + r, r, kPi, 3 * kPi / 2);
    cairo_close_path(cr);
}

double nice_step(double range, double max_ticks) {
    static constexpr std::array<double, 12> big = {10,  15,  30,   60,   120,  300,
                                                   600, 900, 1800, 3600, 7200, 18000};
    const double raw = range / max_ticks;
    if (raw > 5) {
        for (double s : big)
            if (s >= raw) return s;
        return std::ceil(raw / 3600) * 3600;
    }
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * decade >= raw) return m * decade;
    return 10 * decade;
}

std::string time_label(double t, double step) {
    char buf[32];
    if (step >= 60) { // m:ss or h:mm:ss reads better than 5400
        const long s = std::lround(t);
        if (s >= 3600)
            std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        else
            std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
        return buf;
    }
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, t);
    return buf;
}

} // namespace pitchscribe::plot
