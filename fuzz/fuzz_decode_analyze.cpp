// libFuzzer target: any bytes as an audio file, through the whole pipeline.
// AudioDecoder::open_memory -> PitchTracker (default TrackConfig, the file's own rate) ->
// frames and notes, with their contracts checked (a violation aborts, so libFuzzer keeps the
// input). Bytes that start like a WAV are also written to a file: where the direct 16-bit WAV
// reader (src/wav_reader.cpp) takes it, its samples must equal FFmpeg's from memory.
#include "pitchscribe/audio_decoder.hpp"
#include "pitchscribe/notes.hpp"
#include "pitchscribe/pitch_track.hpp"
#include "wav_reader.hpp"

extern "C" {
#include <libavutil/mem.h>
}

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

// Keeps one execution fast: stop after 30 s of audio, or fewer seconds at very high rates
// (the tracker's work per second grows with the rate).
constexpr double kMaxSeconds = 30.0;
constexpr std::size_t kMaxSamples = 2'000'000;

// FFmpeg 5.1 trusts some size fields enough to allocate (and zero) them before reading: a WAV's
// LIST/INFO subchunk size makes a 72-byte file cost 2 GB and ~10 s (libavformat riffdec.c,
// ff_read_riff_info; tests/fuzz_regressions/wav_list_info_2gb_alloc.wav). No allocation an
// input of at most -max_len=64 KiB needs comes near this cap, so such allocations fail instead
// (FFmpeg then rejects the file) and the fuzzer keeps looking for other bugs.
constexpr std::size_t kFfmpegMaxAlloc = 64u << 20;

[[noreturn]] void violated(const char* what, double value) {
    std::fprintf(stderr, "fuzz_decode_analyze: contract violated: %s (%g)\n", what, value);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    av_max_alloc(kFfmpegMaxAlloc);
    return 0;
}

namespace {

// All samples of a decoder, or nothing if it fails on the way.
std::optional<std::vector<float>> all_samples(pitchscribe::AudioDecoder& decoder) {
    std::vector<float> out, block(4096);
    while (out.size() < kMaxSamples) {
        auto n = decoder.read(block);
        if (!n) return std::nullopt;
        if (*n == 0) return out;
        out.insert(out.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    return std::nullopt; // too long to compare here
}

// The direct WAV reader against FFmpeg, for bytes it accepts as a plain 16-bit WAV.
void compare_wav_paths(const std::uint8_t* data, std::size_t size) {
    using namespace pitchscribe;
    static const std::string path = "/tmp/fuzz_wav_" + std::to_string(::getpid()) + ".wav";
    if (size < 12 || std::memcmp(data, "RIFF", 4) != 0) return;
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        const bool written = std::fwrite(data, 1, size, f) == size;
        if (std::fclose(f) != 0 || !written) return;
    } else {
        return;
    }
    if (!detail::PcmWavReader::open(path)) return; // FFmpeg's file: nothing to compare
    auto direct = AudioDecoder::open(path);
    auto ffmpeg = AudioDecoder::open_memory({data, size}, "fuzz");
    if (!direct) violated("the WAV reader accepted a file AudioDecoder::open refused", 0);
    if (!ffmpeg) violated("the WAV reader accepted a file FFmpeg refuses", 0);
    if (direct->info().sample_rate != ffmpeg->info().sample_rate ||
        direct->info().channels != ffmpeg->info().channels)
        violated("WAV reader and FFmpeg disagree on rate or channels", direct->info().channels);
    const auto a = all_samples(*direct), b = all_samples(*ffmpeg);
    if (a && b && *a != *b)
        violated("WAV reader and FFmpeg decode different samples", double(a->size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pitchscribe;
    compare_wav_paths(data, size);
    auto decoder = AudioDecoder::open_memory({data, size}, "fuzz");
    if (!decoder) return 0;
    const AudioInfo& info = decoder->info();
    if (info.sample_rate <= 0 || info.channels <= 0)
        violated("open() accepted a file without rate or channels", info.sample_rate);

    const TrackConfig config;
    auto tracker = PitchTracker::create(info.sample_rate, config);
    if (!tracker) return 0;

    // Notes from whatever the track is: ordered, non-empty, finite, named.
    NoteSegmenter segmenter;
    double last_onset = -1.0;
    const NoteSink note_sink = [&](const Note& n) {
        if (!(n.onset >= 0.0 && n.offset > n.onset && std::isfinite(n.offset)))
            violated("note times not 0 <= onset < offset", n.onset);
        if (n.onset < last_onset) violated("notes out of order", n.onset);
        if (!(n.frequency > 0.0 && std::isfinite(n.frequency)) || n.name.empty())
            violated("note without a frequency or a name", n.frequency);
        last_onset = n.onset;
    };
    std::size_t frames = 0;
    const FrameSink sink = [&](const PitchFrame& f) {
        segmenter.push(f, note_sink);
        const double expected_time = static_cast<double>(frames) * config.hop;
        if (!(std::fabs(f.time - expected_time) <= 1e-9 * (1.0 + expected_time)))
            violated("frame time is not index * hop", f.time);
        if (!std::isfinite(f.frequency) || f.frequency < 0.0)
            violated("frequency not finite and >= 0", f.frequency);
        if (!(f.confidence >= 0.0 && f.confidence <= 1.0))
            violated("confidence outside [0, 1]", f.confidence);
        if (f.voiced && !(f.frequency > 0.0)) violated("voiced frame without a frequency", 0.0);
        ++frames;
    };

    const auto limit = std::min<std::size_t>(
        kMaxSamples, static_cast<std::size_t>(kMaxSeconds * info.sample_rate));
    std::array<float, 4096> block{};
    std::size_t pushed = 0;
    while (pushed < limit) {
        const std::size_t want = std::min(block.size(), limit - pushed);
        auto n = decoder->read(std::span<float>(block.data(), want));
        if (!n || *n == 0) break; // errors are the input's fault; the samples so far still count
        if (*n > want) violated("read() returned more than asked", double(*n));
        for (std::size_t i = 0; i < *n; ++i)
            if (!std::isfinite(block[i])) violated("decoder delivered a non-finite sample", i);
        tracker->push({block.data(), *n}, sink);
        pushed += *n;
    }
    if (decoder->samples_read() != pushed)
        violated("samples_read() differs from the samples delivered", double(pushed));
    tracker->finish(sink);
    segmenter.finish(note_sink);

    if (frames != tracker->frames_emitted())
        violated("frames delivered to the sink != frames_emitted()", double(frames));
    if (pushed > 0) {
        // The last frame is the one centred on the last sample or before it.
        const double hop_samples = config.hop * info.sample_rate;
        const auto expected =
            static_cast<std::size_t>(std::floor(double(pushed - 1) / hop_samples)) + 1;
        if (frames != expected) violated("frame count after finish()", double(frames));
    } else if (frames != 0) {
        violated("frames without samples", double(frames));
    }
    return 0;
}
