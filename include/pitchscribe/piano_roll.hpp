// A piano-roll picture of the notes with the frame-level pitch track drawn over them.
#pragma once

#include "pitchscribe/error.hpp"
#include "pitchscribe/note_names.hpp"
#include "pitchscribe/notes.hpp"
#include "pitchscribe/pitch_track.hpp"

#include <span>
#include <string>
#include <vector>

namespace pitchscribe {

enum class PlotFormat { Png, Svg, Pdf };

struct PlotOptions {
    std::string title;                   // drawn at the top; may be empty
    int width = 1200;                    // pixels (PNG) or points (SVG, PDF), 100..10000
    int height = 600;                    // text and margins scale with min(width/1200, height/600)
    PlotFormat format = PlotFormat::Png; //
    Tuning tuning;                       // places the pitch track on the note axis
};

// The format named by the file's extension (.png, .svg, .pdf; any case). Other extensions,
// and none, are an InvalidArgument error naming --plot.
Expected<PlotFormat> plot_format_from_path(const std::string& path);

// Renders in memory, so the caller can write the file atomically. Time in seconds runs along
// x from 0 to the end of the last note or frame; the y axis has one row per semitone over the
// range played, padded by two semitones (at least an octave; C4..C5 when nothing was played),
// with black-key rows shaded. Notes are bars on their nearest semitone, more opaque when more
// confident; voiced frames are a thin line at their exact pitch, broken at unvoiced frames and
// at jumps. The output is deterministic: the same input gives the same bytes.
// Errors: InvalidArgument (size out of range), Processing (cairo failed, e.g. out of memory).
Expected<std::vector<unsigned char>> render_piano_roll(std::span<const Note> notes,
                                                       std::span<const PitchFrame> track,
                                                       const PlotOptions& options);

} // namespace pitchscribe
