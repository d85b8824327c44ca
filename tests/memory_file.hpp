// A FILE* that writes into memory, for testing writers that take a stream.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdio.h> // open_memstream (POSIX)
#include <string>

namespace pitchscribe {

class MemoryFile {
public:
    MemoryFile() : stream_(::open_memstream(&data_, &size_)) {}
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    ~MemoryFile() {
        if (stream_) std::fclose(stream_);
        std::free(data_);
    }

    std::FILE* stream() const { return stream_; }

    // Everything written so far.
    std::string text() {
        std::fflush(stream_);
        return std::string(data_, size_);
    }

private:
    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::FILE* stream_;
};

} // namespace pitchscribe
