// Internal: the transcription drawn on the piano roll's axes (src/piano_roll.cpp): a bar per
// note, the pitch track over the bars, and the notes' names.
#pragma once

#include "plot_axes.hpp"

#include <span>
#include <vector>

namespace pitchscribe::plot {

// A note's bar as drawn, kept to place the note's name once the track is drawn over it.
struct NoteBar {
    const Note& note;
    double left, w, top, h, confidence;
};

// The usable notes within the rows shown, more opaque when more confident.
std::vector<NoteBar> draw_note_bars(cairo_t* cr, const RollAxes& axes, std::span<const Note> notes);
// The voiced frames as a line at their exact pitch, broken at jumps and across gaps.
void draw_pitch_track(cairo_t* cr, const RollAxes& axes, std::span<const PitchFrame> track,
                      const Tuning& tuning);
// Names go inside a bar tall enough to keep them clear of the pitch track at its middle,
// else just above the bar's start, where a monophonic line leaves the row empty.
void draw_note_names(cairo_t* cr, const RollAxes& axes, std::span<const NoteBar> bars);

} // namespace pitchscribe::plot
