// From a stream of mono samples to a frame-level pitch track: one PitchFrame per hop.
#pragma once

#include "pitchscribe/error.hpp"
#include "pitchscribe/mpm.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <span>

namespace pitchscribe {

struct PitchFrame {
    double time = 0.0;        // seconds, the centre of the frame
    double frequency = 0.0;   // Hz; 0 where there is no estimate
    double confidence = 0.0;  // MPM clarity in [0, 1]
    bool voiced = false;      // a pitched sound, loud and clear enough
    double level_db = -120.0; // loudness: RMS of the frame in dBFS (floor -120)
    // Where the tracker moved a pitch change to the sample the signal shows it at (the
    // frame was given the note before or after it), or gave the frame to the next note
    // across a murky gap where it does not hear that note (a consonant filled by a room's
    // reverberation): the pitch the frame was heard at; 0 elsewhere. The note segmenter
    // places notes from the heard pitches.
    double heard_frequency = 0.0;
};

// The pitch a frame was heard at: heard_frequency where the tracker moved the frame, else its
// frequency.
inline double heard(const PitchFrame& f) {
    return f.heard_frequency > 0.0 ? f.heard_frequency : f.frequency;
}

struct TrackConfig {
    double hop = 0.01;              // seconds between frame centres
    double fmin = 40.0;             // Hz
    double fmax = 2000.0;           // Hz
    double voicing_threshold = 0.7; // minimum clarity of a voiced frame (in quiet; lower in noise)
    // Frames quieter than the gate (RMS) are unvoiced. The gate is silence_db, or
    // silence_below_loudest_db under the loudest frame so far where that is lower (never
    // below -100 dBFS), so that a quiet recording (peaks at -45 dBFS) keeps its notes; 0 gives
    // a fixed gate.
    double silence_db = -60.0;              // dBFS
    double silence_below_loudest_db = 30.0; // dB
    // Mains hum (50 or 60 Hz and harmonics up to the fourth) is subtracted from the input
    // once it has held steady for two seconds (src/hum_canceller.hpp); music is untouched.
    bool remove_hum = true;
    // Analyse at rate / D, D = floor(rate / (10 fmax)) (at most 16), after an anti-aliasing
    // low-pass (src/decimator.hpp): 44.1 kHz with fmax 2000 Hz is analysed at 22050 Hz.
    bool decimate = true;
    // Threads analysing frames (the caller's thread is one of them). Frames are analysed in
    // batches of about 1.5 s; the track is the same, byte for byte, for any count. With more
    // than one, push() hands batches to worker threads through a mutex and condition
    // variable (still without allocating) and frames come out up to 2 x threads batches later.
    int threads = 1;
};

// Checks a TrackConfig; the message names the offending option (e.g. "--hop must be > 0").
Status validate(const TrackConfig& config);

using FrameSink = std::function<void(const PitchFrame&)>;

// Cuts the stream into frames centred at t = 0, hop, 2*hop, ... (zero-padded at both ends),
// runs the MPM detector on each, and chooses each frame's pitch and voicing as the cheapest
// path through the detector's candidates (Viterbi); a change of pitch is then placed at the
// sample where the signal shows it. Frames are analysed a batch (~1.5 s) at a time, the path
// decides 0.4 s after a frame and the change placing holds it 0.1 s more, so frames come out
// that much after their audio; finish() flushes the rest. Memory is fixed at construction.
// Real-time contract: push() and finish() do not allocate; with threads == 1 they take no
// lock either. Worker threads are started by create() and joined by the destructor.
class PitchTracker {
public:
    static Expected<PitchTracker> create(double sample_rate, const TrackConfig& config);

    PitchTracker(PitchTracker&&) noexcept;
    PitchTracker& operator=(PitchTracker&&) noexcept;
    ~PitchTracker();

    // Feeds samples; calls `sink` for every frame whose window is now complete.
    void push(std::span<const float> samples, const FrameSink& sink);
    // Ends the stream: emits the remaining frames, up to the one centred on the last sample.
    void finish(const FrameSink& sink);

    std::size_t frame_size() const; // samples per frame at analysis_rate()
    double sample_rate() const;     // of the input
    double analysis_rate() const;   // sample_rate() / the decimation factor
    std::size_t frames_emitted() const;

private:
    struct Impl;
    explicit PitchTracker(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace pitchscribe
