// A glide or two notes at once? When the track moves from one note to the next through
// pitches between them, two different sounds can be behind it. A singer's or a violinist's
// portamento is one periodic sound whose pitch travels: within a frame its harmonics are
// smeared around the pitch read, and the truth is that pitch. A crossfade (a new note
// starting under the old one's release, as sample players and reverberant rooms render
// legato) is two periodic sounds whose balance shifts: the NSDF merges their close periods
// into one peak that slides from the old pitch to the new, while the spectrum holds each
// harmonic at both notes and little between them. The pitch track looks the same either
// way; the spectrum tells them apart (FluidR3's crossfades: 0.001-0.46 at the pitch read
// against the notes; a synthetic sung glide: 0.8-2.7). Internal to the library.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace pitchscribe::detail {

class InputHistory;

class GlideCheck {
public:
    // Reads `input` (the change refiner's history of the stream, at `input_rate`) over
    // `window_seconds`, the detector's frame.
    GlideCheck(const InputHistory& input, double input_rate, double window_seconds);

    // Whether the frame centred at `time` (seconds) hears a glide through `between` (Hz) on
    // its way from `from` to `to`, rather than the two notes crossfading; none when the
    // window's resolution cannot tell (the pitch lies too close to both notes' harmonics),
    // or no input is held. No allocation.
    std::optional<bool> glides(double time, double from, double between, double to);

    // The harmonics of `note` (Hz) that the window resolves from those of `other`, and
    // other's harmonics nearest them: the sums of their magnitudes in the frame centred at
    // `time`. A note arriving under another's release raises the first long before its
    // period shows in the NSDF (an organ pipe's or a bowed string's slow attack). None when
    // no harmonic is resolved or no input is held. No allocation.
    struct Between {
        double note = 0.0;
        double other = 0.0;
    };
    std::optional<Between> harmonics_between(double time, double note, double other);

private:
    static constexpr std::size_t kLanes = 8;
    void magnitudes(const double* frequencies, double* out, std::size_t n) const;
    bool load(double time);

    const InputHistory& input_;
    double rate_;
    std::vector<float> window_; // Hann
    std::vector<float> frame_;  // the windowed input
    double resolve_;            // Hz apart that the window tells two partials
};

} // namespace pitchscribe::detail
