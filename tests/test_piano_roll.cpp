#include "note_fixture.hpp"

#include <algorithm>
#include <cairo.h>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <pitchscribe/piano_roll.hpp>
#include <string>
#include <vector>

namespace pitchscribe {
namespace {

using Bytes = std::vector<unsigned char>;

// Voiced frames every 10 ms at each note's pitch, unvoiced between notes.
std::vector<PitchFrame> track_of(const std::vector<Note>& notes, double end) {
    std::vector<PitchFrame> track;
    for (int i = 0; i * 0.01 <= end; ++i) {
        PitchFrame f;
        f.time = i * 0.01;
        for (const Note& n : notes)
            if (f.time >= n.onset && f.time < n.offset) {
                f.voiced = true;
                f.frequency = n.frequency;
                f.confidence = 0.9;
            }
        track.push_back(f);
    }
    return track;
}

// A decoded PNG: 0xRRGGBB per pixel.
struct Image {
    int width = 0, height = 0;
    std::vector<std::uint32_t> pixels;
    std::uint32_t at(int x, int y) const {
        return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                      static_cast<std::size_t>(x)];
    }
};

struct Reader {
    const Bytes* bytes;
    std::size_t at = 0;
};

cairo_status_t read_bytes(void* closure, unsigned char* data, unsigned int length) {
    auto* r = static_cast<Reader*>(closure);
    if (r->at + length > r->bytes->size()) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(data, r->bytes->data() + r->at, length);
    r->at += length;
    return CAIRO_STATUS_SUCCESS;
}

Image decode_png(const Bytes& png) {
    Reader reader{&png};
    cairo_surface_t* s = cairo_image_surface_create_from_png_stream(read_bytes, &reader);
    Image image;
    if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(s);
        image.width = cairo_image_surface_get_width(s);
        image.height = cairo_image_surface_get_height(s);
        const int stride = cairo_image_surface_get_stride(s);
        const unsigned char* data = cairo_image_surface_get_data(s);
        for (int y = 0; y < image.height; ++y)
            for (int x = 0; x < image.width; ++x) {
                std::uint32_t p;
                std::memcpy(&p, data + y * stride + 4 * x, 4);
                image.pixels.push_back(p & 0xFFFFFFu);
            }
    }
    cairo_surface_destroy(s);
    return image;
}

// The bar colour of a note of confidence 1 (kNoteFill in src/plot_drawing.hpp).
bool is_bar_colour(std::uint32_t p) {
    const int r = static_cast<int>(p >> 16), g = static_cast<int>((p >> 8) & 0xFF),
              b = static_cast<int>(p & 0xFF);
    return std::abs(r - 59) <= 3 && std::abs(g - 111) <= 3 && std::abs(b - 209) <= 3;
}

// Orange of the pitch track, also where antialiasing blends it with a bar or the background:
// red well above blue, which nothing else in the picture has.
bool is_track_colour(std::uint32_t p) {
    const int r = static_cast<int>(p >> 16), b = static_cast<int>(p & 0xFF);
    return r > 150 && r - b > 80;
}

Bytes render(const std::vector<Note>& notes, const std::vector<PitchFrame>& track,
             PlotFormat format = PlotFormat::Png, int width = 1200, int height = 600) {
    PlotOptions options;
    options.title = "test.wav";
    options.format = format;
    options.width = width;
    options.height = height;
    auto bytes = render_piano_roll(notes, track, options);
    EXPECT_TRUE(bytes.has_value()) << (bytes ? "" : bytes.error().message);
    return bytes ? *bytes : Bytes{};
}

TEST(PianoRoll, PngHasTheRequestedSizeAndIsNotBlank) {
    const std::vector<Note> notes = {make_note(40, 0.0, 2.0), make_note(64, 2.0, 4.0)};
    const Image image = decode_png(render(notes, track_of(notes, 4.0)));
    ASSERT_EQ(image.width, 1200);
    ASSERT_EQ(image.height, 600);
    const auto non_white = std::count_if(image.pixels.begin(), image.pixels.end(),
                                         [](std::uint32_t p) { return p != 0xFFFFFFu; });
    EXPECT_GT(static_cast<double>(non_white), 0.2 * 1200 * 600);

    const Image small = decode_png(render(notes, {}, PlotFormat::Png, 800, 300));
    EXPECT_EQ(small.width, 800);
    EXPECT_EQ(small.height, 300);
}

TEST(PianoRoll, NoteBarsSitAtTheirTimeAndPitch) {
    // A low note in the first half, a high one in the second: the bar colour's pixels must
    // be low on the left and high on the right, and absent from the other corners.
    const std::vector<Note> notes = {make_note(40, 0.0, 2.0), make_note(64, 2.0, 4.0)};
    const Image image = decode_png(render(notes, {}));
    ASSERT_EQ(image.width, 1200);
    long count[2][2] = {{0, 0}, {0, 0}}; // [left/right][top/bottom]
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            if (is_bar_colour(image.at(x, y)))
                ++count[x < image.width / 2 + 30 ? 0 : 1][y < image.height / 2 ? 0 : 1];
    EXPECT_GT(count[0][1], 2000); // E2, 0-2 s: left, bottom
    EXPECT_GT(count[1][0], 2000); // E4, 2-4 s: right, top
    EXPECT_LT(count[0][0], 100);  // the legend's swatch is the only bar colour up there
    EXPECT_EQ(count[1][1], 0);
}

TEST(PianoRoll, ASingleNoteFillsTheMiddleRow) {
    const std::vector<Note> notes = {make_note(60, 0.0, 4.0)};
    const Image image = decode_png(render(notes, {}));
    ASSERT_EQ(image.height, 600);
    // The plot is centred near the picture's centre; the bar spans the whole time axis.
    int found = 0;
    for (int y = 280; y < 320; ++y)
        for (int x = 300; x < 900; x += 50)
            found += is_bar_colour(image.at(x, y)) ? 1 : 0;
    EXPECT_GT(found, 12 * 10);
    EXPECT_FALSE(is_bar_colour(image.at(600, 120)));
}

TEST(PianoRoll, PitchTrackIsDrawnOverTheNotes) {
    const std::vector<Note> notes = {make_note(57, 0.5, 3.5)};
    const std::vector<PitchFrame> track = track_of(notes, 4.0);
    const Image with = decode_png(render(notes, track));
    const Image without = decode_png(render(notes, {}));
    const auto orange = [](const Image& image) {
        return std::count_if(image.pixels.begin(), image.pixels.end(), is_track_colour);
    };
    EXPECT_GT(orange(with), orange(without) + 500); // ~900 px of line, 1.6 px thick
}

TEST(PianoRoll, EmptyInputStillGivesAPicture) {
    const Image image = decode_png(render({}, {}));
    ASSERT_EQ(image.width, 1200);
    ASSERT_EQ(image.height, 600);
    const auto non_white = std::count_if(image.pixels.begin(), image.pixels.end(),
                                         [](std::uint32_t p) { return p != 0xFFFFFFu; });
    EXPECT_GT(static_cast<double>(non_white), 0.05 * 1200 * 600); // rows, keys, labels
    // No bars: the bar colour appears only in the legend's swatch (20 x 10).
    EXPECT_LT(std::count_if(image.pixels.begin(), image.pixels.end(), is_bar_colour), 250);
}

TEST(PianoRoll, NonFiniteValuesAreSkipped) {
    std::vector<Note> notes = {make_note(60, 0.0, 1.0), make_note(62, 1.0, 2.0)};
    notes[0].onset = std::nan("");
    notes[1].confidence = std::nan("");
    std::vector<PitchFrame> track = track_of(notes, 2.0);
    track[150].frequency = INFINITY;
    track[151].time = std::nan("");
    const Image image = decode_png(render(notes, track));
    EXPECT_EQ(image.width, 1200);
}

TEST(PianoRoll, VectorFormatsHaveTheirSignatures) {
    const std::vector<Note> notes = {make_note(45, 0.0, 1.0)};
    const Bytes svg = render(notes, track_of(notes, 1.0), PlotFormat::Svg);
    const std::string svg_text(svg.begin(), svg.end());
    EXPECT_TRUE(svg_text.rfind("<?xml", 0) == 0 || svg_text.rfind("<svg", 0) == 0);
    EXPECT_NE(svg_text.find("width=\"1200"), std::string::npos);
    EXPECT_NE(svg_text.find("</svg>"), std::string::npos);

    const Bytes pdf = render(notes, track_of(notes, 1.0), PlotFormat::Pdf);
    const std::string pdf_text(pdf.begin(), pdf.end());
    EXPECT_EQ(pdf_text.rfind("%PDF", 0), 0u);
    EXPECT_NE(pdf_text.find("%%EOF"), std::string::npos);
    EXPECT_EQ(pdf_text.find("/CreationDate"), std::string::npos); // reproducible
}

TEST(PianoRoll, OutputIsByteIdenticalAcrossRenders) {
    const std::vector<Note> notes = {make_note(40, 0.1, 1.9, 0.6), make_note(45, 2.1, 3.9)};
    const std::vector<PitchFrame> track = track_of(notes, 4.0);
    for (PlotFormat format : {PlotFormat::Png, PlotFormat::Svg, PlotFormat::Pdf}) {
        const Bytes first = render(notes, track, format);
        EXPECT_FALSE(first.empty());
        EXPECT_EQ(first, render(notes, track, format)) << static_cast<int>(format);
    }
}

TEST(PianoRoll, SizeOutOfRangeIsAnInvalidArgument) {
    PlotOptions options;
    options.width = 50;
    const auto result = render_piano_roll({}, {}, options);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().kind, ErrorKind::InvalidArgument);
    options.width = 1200;
    options.height = 20000;
    EXPECT_FALSE(render_piano_roll({}, {}, options).has_value());
}

TEST(PianoRoll, FormatComesFromTheExtension) {
    EXPECT_EQ(plot_format_from_path("roll.png").value(), PlotFormat::Png);
    EXPECT_EQ(plot_format_from_path("out/Roll.PNG").value(), PlotFormat::Png);
    EXPECT_EQ(plot_format_from_path("a.b/roll.Svg").value(), PlotFormat::Svg);
    EXPECT_EQ(plot_format_from_path("/tmp/x.pdf").value(), PlotFormat::Pdf);

    const auto unknown = plot_format_from_path("roll.xyz");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, ErrorKind::InvalidArgument);
    EXPECT_NE(unknown.error().message.find("--plot"), std::string::npos);
    EXPECT_NE(unknown.error().message.find("'.xyz'"), std::string::npos);
    EXPECT_NE(unknown.error().message.find(".png, .svg or .pdf"), std::string::npos);
    EXPECT_FALSE(plot_format_from_path("roll").has_value());
    EXPECT_FALSE(plot_format_from_path("dir.png/roll").has_value());
    EXPECT_FALSE(plot_format_from_path("roll.png.txt").has_value());
}

} // namespace
} // namespace pitchscribe
