// Output files that appear whole or not at all: written to a temporary file in the same
// directory and renamed over the target on commit(). "-" writes to stdout instead, and an
// existing device or pipe (/dev/null, a FIFO) is written in place.
#pragma once

#include <cstdio>
#include <pitchscribe/error.hpp>
#include <string>

namespace pitchscribe::cli {

class AtomicFile {
public:
    // Creates the temporary file now, so an unwritable path fails before any analysis.
    static Expected<AtomicFile> create(const std::string& path);

    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    ~AtomicFile(); // removes the temporary file unless committed

    std::FILE* stream() const { return stream_; }
    const std::string& path() const { return path_; }

    // Flushes, syncs, closes and renames. On failure the temporary file is removed.
    Status commit();

private:
    AtomicFile(std::string path, std::string temp_path, std::FILE* stream, bool owns_stream);
    void discard();

    std::string path_;
    std::string temp_path_; // empty for stdout
    std::FILE* stream_ = nullptr;
    bool owns_stream_ = false; // false for stdout
};

// Removes every temporary file still open; safe to call from a signal handler.
void remove_pending_temp_files();

} // namespace pitchscribe::cli
