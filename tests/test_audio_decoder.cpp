// AudioDecoder against fixtures made at test time: a WAV written here, converted by ffmpeg.
#include "pitchscribe/audio_decoder.hpp"

#include <cmath>
#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <iterator>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

using pitchscribe::AudioDecoder;
using pitchscribe::ErrorKind;

namespace {

constexpr int kRate = 44100;
constexpr double kFreq = 440.0;

std::string tmp_dir() {
    const std::string dir = std::string(PITCHSCRIBE_TEST_TMP) + "/audio_decoder";
    std::filesystem::create_directories(dir);
    return dir;
}

// Channel c of the source: sines with different amplitude and phase, so a wrong mix shows.
double source_sample(int c, int i) {
    const double t = double(i) / kRate;
    return (0.5 - 0.2 * c) * std::sin(2 * std::numbers::pi * kFreq * t + c);
}

// Writes a WAV: 32-bit float for format tag 3, else 16-bit samples; sample(c, i) in [-1, 1].
void write_wav(const std::string& path, int rate, int channels, int frames, std::uint16_t tag,
               const std::function<double(int, int)>& sample) {
    const bool as_float = tag == 3;
    const std::uint32_t bytes = as_float ? 4 : 2;
    const std::uint32_t data = std::uint32_t(frames) * channels * bytes;
    std::ofstream out(path, std::ios::binary);
    auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
    out.write("RIFF", 4), u32(36 + data), out.write("WAVEfmt ", 8), u32(16);
    u16(tag), u16(std::uint16_t(channels)), u32(std::uint32_t(rate));
    u32(rate * channels * bytes), u16(std::uint16_t(channels * bytes)),
        u16(std::uint16_t(8 * bytes));
    out.write("data", 4), u32(data);
    for (int i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c) {
            if (as_float) {
                const float v = float(sample(c, i));
                out.write(reinterpret_cast<const char*>(&v), 4);
            } else {
                u16(std::uint16_t(std::int16_t(std::lround(sample(c, i) * 32767))));
            }
        }
}

// What the decoder must produce for the 16-bit source: the average of the quantized channels.
// With `u8`, as ffmpeg converts s16 to u8: by dropping the low byte (rounding down).
double source_mix(int i, bool u8 = false) {
    const long l = std::lround(source_sample(0, i) * 32767);
    const long r = std::lround(source_sample(1, i) * 32767);
    return u8 ? ((l >> 8) + (r >> 8)) / 2.0 / 128.0 : (l + r) / 2.0 / 32768.0;
}

// ctest runs each test in a process of its own, in parallel, and every process makes the shared
// fixtures: they are written under a private name and renamed into place, so that no test
// reads a file another process is rewriting.
std::string private_path(const std::string& path) {
    return path + ".tmp-" + std::to_string(::getpid());
}

const std::string& source_wav() {
    static const std::string path = [] {
        const std::string p = tmp_dir() + "/source.wav";
        write_wav(private_path(p), kRate, 2, kRate, 1, source_sample);
        std::filesystem::rename(private_path(p), p);
        return p;
    }();
    return path;
}

struct Variant {
    std::string name, file, args, codec;
    int rate, channels;
    double count_tolerance; // relative
    double mix_tolerance;   // vs the exact source mix; < 0 when the mix is not comparable
};

const double kLossy = 0.03, kExact = 1e-4;
const std::vector<Variant> kVariants{
    {"wav_s16", "s16.wav", "-c:a copy", "pcm_s16le", kRate, 2, 0, kExact},
    {"flac", "a.flac", "", "flac", kRate, 2, 0, kExact},
    {"mp3", "a.mp3", "-c:a libmp3lame", "mp3", kRate, 2, kLossy, -1},
    {"vorbis", "a.ogg", "-c:a libvorbis", "vorbis", kRate, 2, kLossy, -1},
    {"opus", "a.opus", "-c:a libopus", "opus", 48000, 2, kLossy, -1},
    {"aac", "a.m4a", "-c:a aac", "aac", kRate, 2, kLossy, -1},
    {"wav_u8", "u8.wav", "-c:a pcm_u8", "pcm_u8", kRate, 2, 0, kExact},
    {"wav_s24", "s24.wav", "-c:a pcm_s24le", "pcm_s24le", kRate, 2, 0, kExact},
    {"wav_s32", "s32.wav", "-c:a pcm_s32le", "pcm_s32le", kRate, 2, 0, kExact},
    {"wav_f32", "f32.wav", "-c:a pcm_f32le", "pcm_f32le", kRate, 2, 0, kExact},
    {"wav_f64", "f64.wav", "-c:a pcm_f64le", "pcm_f64le", kRate, 2, 0, kExact},
    {"wav_8k", "8k.wav", "-ar 8000", "pcm_s16le", 8000, 2, 0, -1},
    {"wav_96k", "96k.wav", "-ar 96000", "pcm_s16le", 96000, 2, 0, -1},
    {"wav_192k", "192k.wav", "-ar 192000", "pcm_s16le", 192000, 2, 0, -1},
    {"wav_mono", "1ch.wav", "-ac 1", "pcm_s16le", kRate, 1, 0, -1},
    {"wav_6ch", "6ch.wav", "-ac 6", "pcm_s16le", kRate, 6, 0, -1},
    {"wav_8ch", "8ch.wav", "-ac 8", "pcm_s16le", kRate, 8, 0, -1}};

// Makes every variant in one ffmpeg run (its start-up dominates the test time); returns the path.
std::string fixture(const std::string& file) {
    static const bool made = [] {
        const std::string dir = private_path(tmp_dir() + "/made");
        std::filesystem::create_directories(dir);
        std::string cmd = "ffmpeg -nostdin -loglevel error -y -i '" + source_wav() + "'";
        for (const Variant& v : kVariants)
            cmd += " " + v.args + " '" + dir + "/" + v.file + "'";
        const bool ok = std::system(cmd.c_str()) == 0;
        for (const Variant& v : kVariants)
            if (ok) std::filesystem::rename(dir + "/" + v.file, tmp_dir() + "/" + v.file);
        std::filesystem::remove_all(dir);
        return ok;
    }();
    EXPECT_TRUE(made);
    return tmp_dir() + "/" + file;
}

std::string cut_in_half(const std::string& path) {
    const std::string out = path + ".half";
    std::filesystem::copy_file(path, out, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(out, std::filesystem::file_size(path) / 2);
    return out;
}

struct Decoded {
    std::vector<float> samples;
    pitchscribe::AudioInfo info;
    std::size_t non_finite = 0;
};

Decoded decode(pitchscribe::Expected<AudioDecoder> dec, std::size_t block = 4096) {
    Decoded d;
    if (!dec) ADD_FAILURE() << dec.error().message;
    if (!dec) return d;
    d.info = dec->info();
    std::vector<float> buf(block);
    while (true) {
        auto n = dec->read(buf);
        if (!n) ADD_FAILURE() << n.error().message;
        if (!n || *n == 0) break;
        d.samples.insert(d.samples.end(), buf.begin(), buf.begin() + std::ptrdiff_t(*n));
    }
    EXPECT_EQ(dec->samples_read(), d.samples.size());
    d.non_finite = dec->non_finite_samples();
    return d;
}

Decoded decode(const std::string& path, std::size_t block = 4096) {
    return decode(AudioDecoder::open(path), block);
}

std::vector<unsigned char> file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Frequency from rising zero crossings (interpolated), ignoring the edges where codecs fade.
double zero_crossing_frequency(const std::vector<float>& x, int rate) {
    const std::size_t lo = x.size() / 20 + 1, hi = x.size() - x.size() / 20;
    double first = 0, last = 0;
    int n = 0;
    for (std::size_t i = lo; i < hi; ++i) {
        if (x[i - 1] < 0 && x[i] >= 0) {
            last = double(i - 1) + x[i - 1] / (x[i - 1] - x[i]);
            if (n++ == 0) first = last;
        }
    }
    return n < 2 ? 0.0 : (n - 1) * rate / (last - first);
}

class Formats : public testing::TestWithParam<Variant> {};

TEST_P(Formats, DecodesSineAtNativeRate) {
    const Variant& v = GetParam();
    const Decoded d = decode(fixture(v.file));
    EXPECT_EQ(d.info.codec, v.codec);
    EXPECT_EQ(d.info.sample_rate, v.rate);
    EXPECT_EQ(d.info.channels, v.channels);
    EXPECT_NEAR(d.info.duration, 1.0, 0.06);
    EXPECT_NEAR(double(d.samples.size()), v.rate, v.rate * v.count_tolerance + 0.5);
    EXPECT_NEAR(zero_crossing_frequency(d.samples, v.rate), kFreq, kFreq * 0.01);
    if (v.mix_tolerance >= 0) {
        ASSERT_EQ(d.samples.size(), std::size_t(kRate));
        for (int i = 0; i < kRate; ++i)
            ASSERT_NEAR(d.samples[std::size_t(i)], source_mix(i, v.codec == "pcm_u8"),
                        v.mix_tolerance)
                << "at " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(AudioDecoder, Formats, testing::ValuesIn(kVariants),
                         [](const testing::TestParamInfo<Variant>& p) { return p.param.name; });

TEST(AudioDecoder, AveragesAnyChannelCountWithoutLayout) {
    // Plain PCM WAV header with 5 channels: FFmpeg knows the count but no layout.
    const std::string path = tmp_dir() + "/5ch.wav";
    write_wav(path, kRate, 5, 1000, 1, source_sample);
    const Decoded d = decode(path);
    EXPECT_EQ(d.info.channels, 5);
    ASSERT_EQ(d.samples.size(), 1000u);
    for (int i = 0; i < 1000; ++i) {
        double sum = 0;
        for (int c = 0; c < 5; ++c)
            sum += std::lround(source_sample(c, i) * 32767) / 32768.0;
        ASSERT_NEAR(d.samples[std::size_t(i)], sum / 5, 1e-6);
    }
}

TEST(AudioDecoder, BlockSizeDoesNotChangeSamples) {
    const std::string path = fixture("a.mp3");
    const std::vector<float> reference = decode(path, 4096).samples;
    ASSERT_FALSE(reference.empty());
    for (std::size_t block : {1u, 37u, 100000u})
        EXPECT_EQ(decode(path, block).samples, reference);
}

TEST(AudioDecoder, NonFiniteSamplesBecomeZeroAndAreCounted) {
    const std::string path = tmp_dir() + "/nonfinite.wav";
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> special{std::numeric_limits<float>::quiet_NaN(), inf, -inf};
    write_wav(path, kRate, 1, 100, 3,
              [&](int, int i) { return i % 10 == 5 ? special[std::size_t(i / 10 % 3)] : 0.25; });
    const Decoded d = decode(path);
    ASSERT_EQ(d.samples.size(), 100u);
    EXPECT_EQ(d.non_finite, 10u);
    for (std::size_t i = 0; i < 100; ++i)
        EXPECT_EQ(d.samples[i], i % 10 == 5 ? 0.0f : 0.25f);
}

TEST(AudioDecoder, ReadsStandardInput) {
    const std::string empty = tmp_dir() + "/empty_stdin";
    std::ofstream{empty};
    const int saved = ::dup(0);
    auto redirect = [](const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY);
        ::dup2(fd, 0);
        ::close(fd);
    };
    redirect(source_wav());
    const Decoded d = decode("-");
    redirect(empty);
    auto e = AudioDecoder::open("-");
    ::dup2(saved, 0);
    ::close(saved);
    EXPECT_EQ(d.info.channels, 2);
    EXPECT_DOUBLE_EQ(d.info.duration, 1.0); // read from the WAV header that came down the pipe
    EXPECT_EQ(d.samples.size(), std::size_t(kRate));
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message, "'stdin': empty file");
}

TEST(AudioDecoder, MovedFromObjectIsSafe) {
    auto a = AudioDecoder::open(source_wav());
    ASSERT_TRUE(a);
    AudioDecoder b = std::move(*a);
    float buf[16];
    EXPECT_EQ(a->info().sample_rate, 0);
    EXPECT_FALSE(a->read(buf));
    auto n = b.read(buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 16u);
}

TEST(AudioDecoderMemory, DecodesLikeTheFile) {
    // Plain 16-bit WAV files are read without FFmpeg (src/wav_reader.cpp) and must give the
    // same samples and information as FFmpeg does from memory: mono, stereo, five channels,
    // an odd length and a rate FFmpeg has no layout default for.
    std::vector<std::string> wavs;
    for (const auto& [channels, frames, rate] : {std::tuple{1, 12345, kRate}, {5, 777, 11025}}) {
        wavs.push_back(tmp_dir() + "/plain_" + std::to_string(channels) + "ch.wav");
        write_wav(private_path(wavs.back()), rate, channels, frames, 1, source_sample);
        std::filesystem::rename(private_path(wavs.back()), wavs.back());
    }
    // m4a: ffmpeg writes the index (moov) after the data, so the demuxer has to seek.
    for (const std::string& path :
         {source_wav(), wavs[0], wavs[1], fixture("a.flac"), fixture("a.mp3"), fixture("a.m4a")}) {
        const std::vector<unsigned char> bytes = file_bytes(path);
        const Decoded from_file = decode(path);
        const Decoded from_memory = decode(AudioDecoder::open_memory(bytes, "in memory"));
        ASSERT_FALSE(from_file.samples.empty()) << path;
        EXPECT_EQ(from_memory.samples, from_file.samples) << path;
        EXPECT_EQ(from_memory.info.codec, from_file.info.codec) << path;
        EXPECT_EQ(from_memory.info.sample_rate, from_file.info.sample_rate) << path;
        EXPECT_EQ(from_memory.info.channels, from_file.info.channels) << path;
        EXPECT_DOUBLE_EQ(from_memory.info.duration, from_file.info.duration) << path;
    }

    // A WAV's declared length is read from the buffer too: half of one is truncated.
    std::vector<unsigned char> half = file_bytes(source_wav());
    half.resize(half.size() / 2);
    auto d = AudioDecoder::open_memory(half, "half.wav");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_DOUBLE_EQ(d->info().duration, 1.0);
    std::vector<float> buf(4096);
    pitchscribe::Expected<std::size_t> n = std::size_t{0};
    do {
        n = d->read(buf);
    } while (n && *n > 0);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(n.error().message, "'half.wav': truncated: decoded 0.50 s of 1.00 s declared");
}

TEST(AudioDecoderMemory, EmptyBuffer) {
    auto d = AudioDecoder::open_memory({}, "nothing.wav");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(d.error().message, "'nothing.wav': empty file");
}

TEST(AudioDecoderMemory, NotAudio) {
    std::mt19937 rng(7);
    std::vector<unsigned char> noise(20000);
    for (unsigned char& b : noise)
        b = static_cast<unsigned char>(rng());
    auto d = AudioDecoder::open_memory(noise, "noise");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(d.error().message.rfind("'noise': not an audio file (", 0), 0u) << d.error().message;

    // A playlist naming a readable file beside it: a buffer must not open other files.
    const std::string list = "ffconcat version 1.0\nfile source.wav\n";
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(std::filesystem::path(source_wav()).parent_path());
    auto p = AudioDecoder::open_memory(
        {reinterpret_cast<const unsigned char*>(list.data()), list.size()}, "list.ffconcat");
    std::filesystem::current_path(cwd);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(p.error().message.rfind("'list.ffconcat': not an audio file (", 0), 0u)
        << p.error().message;
}

void expect_open_error(const std::string& path, const std::string& reason) {
    auto d = AudioDecoder::open(path);
    ASSERT_FALSE(d) << path;
    EXPECT_EQ(d.error().kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(d.error().message, "'" + path + "': " + reason);
}

// Opens fine, delivers what is there, then fails.
pitchscribe::Error read_error(const std::string& path) {
    auto d = AudioDecoder::open(path);
    if (!d) return d.error();
    std::vector<float> buf(4096);
    while (true) {
        auto n = d->read(buf);
        if (!n) return n.error();
        if (*n == 0) return {ErrorKind::Processing, "no error"};
    }
}

TEST(AudioDecoderErrors, FileSystem) {
    const std::string dir = tmp_dir();
    expect_open_error(dir + "/does_not_exist.wav", "No such file or directory");
    expect_open_error(dir, "is a directory");
    std::ofstream{dir + "/empty.wav"};
    expect_open_error(dir + "/empty.wav", "empty file");
}

TEST(AudioDecoderErrors, NotAudio) {
    const std::string text = tmp_dir() + "/notes.txt";
    std::ofstream(text) << "C4 D4 E4\nthis is not audio\n";
    expect_open_error(text, "not an audio file (Invalid data found when processing input)");

    const std::string noise = tmp_dir() + "/noise.bin";
    std::mt19937 rng(42);
    std::ofstream out(noise, std::ios::binary);
    for (int i = 0; i < 20000; ++i)
        out.put(char(rng()));
    out.close();
    const std::string odd_codec = tmp_dir() + "/odd_codec.wav";
    write_wav(odd_codec, 8000, 1, 100, 0x1234, source_sample);
    expect_open_error(odd_codec, "unsupported codec 'tag 0x1234'");

    const std::string video = tmp_dir() + "/video.mkv";
    ASSERT_EQ(std::system(("ffmpeg -nostdin -loglevel error -y -f lavfi -i color=s=16x16:d=0.1 '" +
                           video + "'")
                              .c_str()),
              0);
    expect_open_error(video, "not an audio file (no audio stream)");

    auto d = AudioDecoder::open(noise);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(d.error().message.rfind("'" + noise + "': not an audio file (", 0), 0u)
        << d.error().message;
}

TEST(AudioDecoderErrors, TruncatedFiles) {
    const std::string wav = cut_in_half(source_wav());
    const auto e = read_error(wav);
    EXPECT_EQ(e.kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(e.message, "'" + wav + "': truncated: decoded 0.50 s of 1.00 s declared");

    // FLAC's STREAMINFO and MP3's Xing header declare the length too.
    for (const std::string name : {"a.flac", "a.mp3"}) {
        const auto err = read_error(cut_in_half(fixture(name)));
        EXPECT_EQ(err.kind, ErrorKind::InputUnreadable) << name;
        EXPECT_NE(err.message.find("truncated: decoded"), std::string::npos) << err.message;
    }

    // ffmpeg writes the moov atom last, so half an m4a has no index at all.
    const std::string m4a = cut_in_half(fixture("a.m4a"));
    const auto err = read_error(m4a);
    EXPECT_EQ(err.kind, ErrorKind::InputUnreadable);
    EXPECT_EQ(err.message,
              "'" + m4a + "': not an audio file (Invalid data found when processing input)");
}

} // namespace
