// (d) AudioDecoder: decoding 20 s of 44.1 kHz stereo (a melody) from wav, flac and m4a (AAC),
// held in memory (open_memory) or in a temporary file (open), to mono float blocks.
#include "bench_support.hpp"
#include "pitchscribe/audio_decoder.hpp"

#include <benchmark/benchmark.h>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr int kRate = 44100;
constexpr double kSeconds = 20.0;

enum class Format { wav, flac, m4a };
enum class Source { memory, file };

void put_le(std::vector<unsigned char>& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<unsigned char>(value >> (8 * i)));
}

// 16-bit stereo PCM WAV: the melody on the left, 0.8 of it on the right.
std::vector<unsigned char> wav_bytes() {
    const auto mono = pitchscribe::bench::melody(kRate, kSeconds);
    const auto data_bytes = static_cast<std::uint32_t>(mono.size() * 4);
    std::vector<unsigned char> out;
    out.reserve(44 + data_bytes);
    out.insert(out.end(), {'R', 'I', 'F', 'F'});
    put_le(out, 36 + data_bytes, 4);
    out.insert(out.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
    put_le(out, 16, 4);
    put_le(out, 1, 2); // PCM
    put_le(out, 2, 2); // channels
    put_le(out, kRate, 4);
    put_le(out, kRate * 4, 4); // bytes per second
    put_le(out, 4, 2);         // bytes per frame
    put_le(out, 16, 2);        // bits
    out.insert(out.end(), {'d', 'a', 't', 'a'});
    put_le(out, data_bytes, 4);
    for (float x : mono) {
        for (float gain : {1.0f, 0.8f}) {
            const auto s = static_cast<std::int16_t>(std::lround(32767.0f * gain * x));
            put_le(out, static_cast<std::uint16_t>(s), 2);
        }
    }
    return out;
}

// The three files, made once: the wav here, flac and m4a by the ffmpeg CLI.
struct Inputs {
    fs::path dir;
    std::vector<unsigned char> bytes[3];
    std::string error[3];

    Inputs() {
        std::string pattern = (fs::temp_directory_path() / "pitchscribe-bench-XXXXXX").string();
        if (!mkdtemp(pattern.data())) {
            for (auto& e : error)
                e = "cannot create a temporary directory";
            return;
        }
        dir = pattern;
        bytes[0] = wav_bytes();
        std::ofstream(path(Format::wav), std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes[0].data()),
                   static_cast<std::streamsize>(bytes[0].size()));
        encode(Format::flac, "-c:a flac");
        encode(Format::m4a, "-c:a aac -b:a 160k");
    }
    ~Inputs() {
        std::error_code ignored;
        if (!dir.empty()) fs::remove_all(dir, ignored);
    }

    fs::path path(Format f) const {
        static const char* names[] = {"melody.wav", "melody.flac", "melody.m4a"};
        return dir / names[static_cast<int>(f)];
    }

    void encode(Format f, const std::string& codec) {
        const std::string command = "ffmpeg -nostdin -v error -y -i '" +
                                    path(Format::wav).string() + "' " + codec + " '" +
                                    path(f).string() + "'";
        if (std::system(command.c_str()) != 0) {
            error[static_cast<int>(f)] = "ffmpeg could not make the file (is ffmpeg installed?)";
            return;
        }
        std::ifstream in(path(f), std::ios::binary);
        bytes[static_cast<int>(f)].assign(std::istreambuf_iterator<char>(in), {});
    }
};

const Inputs& inputs() {
    static const Inputs instance;
    return instance;
}

void BM_Decode(benchmark::State& state, Format format, Source source) {
    const Inputs& in = inputs();
    const int index = static_cast<int>(format);
    if (!in.error[index].empty()) {
        state.SkipWithError(in.error[index].c_str());
        return;
    }
    const auto& bytes = in.bytes[index];
    const std::string path = in.path(format).string();
    std::vector<float> block(4096);
    std::size_t samples = 0;
    for (auto _ : state) {
        auto decoder = source == Source::memory
                           ? pitchscribe::AudioDecoder::open_memory(bytes, "bench")
                           : pitchscribe::AudioDecoder::open(path);
        if (!decoder) {
            state.SkipWithError(decoder.error().message.c_str());
            return;
        }
        samples = 0;
        for (;;) {
            auto n = decoder->read(block);
            if (!n) {
                state.SkipWithError(n.error().message.c_str());
                return;
            }
            if (*n == 0) break;
            samples += *n;
            benchmark::DoNotOptimize(block.data());
        }
    }
    const double audio_seconds =
        static_cast<double>(samples) / kRate * static_cast<double>(state.iterations());
    state.counters["x_realtime"] = benchmark::Counter(audio_seconds, benchmark::Counter::kIsRate);
    state.counters["MB"] = static_cast<double>(bytes.size()) / 1e6;
}

} // namespace

BENCHMARK_CAPTURE(BM_Decode, wav_memory, Format::wav, Source::memory)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, wav_file, Format::wav, Source::file)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, flac_memory, Format::flac, Source::memory)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, flac_file, Format::flac, Source::file)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, m4a_memory, Format::m4a, Source::memory)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, m4a_file, Format::m4a, Source::file)->Unit(benchmark::kMillisecond);
