// Where, to the sample, a pitch change begins. The path decides a frame at a time, and a
// frame's window (~50 ms) hears a change before and after its centre passes it: a plucked
// note's sharp attack takes over the window a frame or two before it begins, while a bowed
// or blown note may stay under the old note's release for tens of milliseconds after. The
// signal itself says where the change is: before it, each sample repeats the one an old
// period earlier; from it on, something new is in the signal and that prediction fails.
// Internal to the library.
#pragma once

#include "pitchscribe/pitch_track.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pitchscribe::detail {

// The most recent input samples, by their index in the stream (zeros outside what it holds).
class InputHistory {
public:
    explicit InputHistory(std::size_t capacity) : ring_(capacity) {}

    // Stores input samples [begin, begin + count); samples already stored are skipped.
    void write(std::int64_t begin, const float* samples, std::size_t count);
    // Samples [from, from + count) into `out`.
    void copy(std::int64_t from, std::size_t count, float* out) const;
    std::size_t capacity() const { return ring_.size(); }

private:
    std::vector<float> ring_;
    std::int64_t end_ = 0; // one past the newest sample held
};

struct ChangeFound {
    std::size_t split = 0; // samples from the start of the stretch searched
    double rise_db = 0.0;  // how much worse the old period predicts the signal after it
};

// The change point in signal[lead ..] for a note of `period` samples (lead > period): the
// split that best fits the squared error of predicting each sample from one period before
// as two stretches of constant variance, if the error rises there. `sums` holds at least
// signal.size() - lead + 1 values.
std::optional<ChangeFound> find_change(std::span<const float> signal, std::size_t lead,
                                       double period, std::vector<double>& sums);

// Where the rise of the prediction error begins, in samples from the start of the stretch
// (`sums`: the running sums of its squared error over n samples, as find_change leaves
// them). A gradual attack (a bow, a breath, an organ pipe) makes the error grow over tens of
// milliseconds, and the best split between two levels falls in the middle of that growth,
// after the note began; here the error, in dB over bins of `bin` samples, is fitted as a
// level, a straight ramp of up to 0.1 s and a level, and the ramp's first bin is returned.
// `levels` holds at least rise_start_scratch(n, bin) values. None when the error does not
// rise.
std::optional<std::size_t> rise_start(std::span<const double> sums, std::size_t n, std::size_t bin,
                                      std::span<double> levels);
std::size_t rise_start_scratch(std::size_t n, std::size_t bin);

// Moves each pitch change of the path's frames to where the signal shows it (see the top of
// this file), holding frames back `reach` + `side` frames (0.1 s at a 10 ms hop). A change is
// a step of at least kStep semitones between `side` frames steady at each pitch; frames of
// the old pitch after the change point take the new one, and frames of the new pitch before
// it the old one. No allocation after construction.
class ChangeRefiner {
public:
    ChangeRefiner(double input_rate, double hop, std::size_t history);

    InputHistory& input() { return input_; }
    void push(const PitchFrame& frame, const FrameSink& sink);
    void finish(const FrameSink& sink);
    // Frames held back: how much later than the path a frame comes out (0 when off).
    std::size_t delay() const { return input_.capacity() > 0 ? reach_ + side_ - 1 : 0; }

private:
    struct Held {
        PitchFrame frame;
        double semitones = 0.0; // of the pitch it was heard at (NaN: no estimate)
    };
    Held& held(std::size_t i) { return frames_[i % frames_.size()]; }
    std::optional<double> steady(std::size_t first, std::size_t count);
    void refine(std::size_t k);
    void place(std::size_t k, std::size_t first, double old_f, double new_f);
    static void move(Held& h, double frequency);
    void apply_pending(Held& h, std::size_t index);
    void emit(const FrameSink& sink);

    double rate_;
    std::size_t side_;    // steady frames on each side of a change
    std::size_t reach_;   // frames before a change that may take the new pitch
    std::size_t ahead_;   // frames after it that may take the old one
    std::size_t between_; // frames at neither pitch between the two notes, at most
    InputHistory input_;
    std::vector<Held> frames_;
    std::vector<float> signal_; // the stretch searched, and a period before it
    std::vector<double> sums_;
    std::vector<double> steady_scratch_;
    std::size_t rise_bin_;       // samples per bin of rise_start
    std::vector<double> levels_; // rise_start's scratch
    std::size_t pushed_ = 0;
    std::size_t emitted_ = 0;
    // The last change moved later: frames [begin, end) before its time, at its new pitch,
    // take the old frequency (some arrive after the change is found).
    std::size_t pending_begin_ = 0, pending_end_ = 0;
    double pending_time_ = 0.0, pending_new_ = 0.0, pending_old_frequency_ = 0.0;
};

} // namespace pitchscribe::detail
