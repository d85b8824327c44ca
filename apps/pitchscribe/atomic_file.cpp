#include "atomic_file.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pitchscribe::cli {

namespace {

// Temporary paths kept in static storage so a signal handler can unlink them without
// allocating. A slot is free when its first byte is 0.
constexpr std::size_t kSlots = 16;
constexpr std::size_t kPathMax = 4096;
std::array<std::array<char, kPathMax>, kSlots> pending{};

void register_temp(const std::string& path) {
    if (path.size() >= kPathMax) return;
    for (auto& slot : pending) {
        if (slot[0] == '\0') {
            std::memcpy(slot.data(), path.c_str(), path.size() + 1);
            return;
        }
    }
}

void unregister_temp(const std::string& path) {
    for (auto& slot : pending)
        if (path == slot.data()) slot[0] = '\0';
}

// Refusing to start (exit 2) and failing while writing (exit 1) read the same to the user.
Error cannot_write(const std::string& path, int error,
                   ErrorKind kind = ErrorKind::InputUnreadable) {
    return Error{kind, "'" + path + "': cannot write: " + std::strerror(error)};
}

mode_t current_umask() {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
}

} // namespace

void remove_pending_temp_files() {
    for (auto& slot : pending)
        if (slot[0] != '\0') ::unlink(slot.data());
}

Expected<AtomicFile> AtomicFile::create(const std::string& path) {
    if (path == "-") return AtomicFile(path, "", stdout, false);
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        if (S_ISDIR(info.st_mode))
            return Error{ErrorKind::InputUnreadable,
                         "'" + path + "': cannot write: is a directory"};
        // A device or a pipe (/dev/null, a FIFO) is written in place: renaming a temporary
        // file over it would replace the device itself.
        if (!S_ISREG(info.st_mode)) {
            std::FILE* stream = std::fopen(path.c_str(), "w");
            if (!stream) return cannot_write(path, errno);
            return AtomicFile(path, "", stream, true);
        }
    }
    std::string temp = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) return cannot_write(path, errno);
    ::fchmod(fd, 0666 & ~current_umask()); // mkstemp makes 0600; give the usual mode
    std::FILE* stream = ::fdopen(fd, "w");
    if (!stream) {
        const int error = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        return cannot_write(path, error);
    }
    register_temp(temp);
    return AtomicFile(path, temp, stream, true);
}

AtomicFile::AtomicFile(std::string path, std::string temp_path, std::FILE* stream, bool owns_stream)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), stream_(stream),
      owns_stream_(owns_stream) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), temp_path_(std::move(other.temp_path_)),
      stream_(other.stream_), owns_stream_(other.owns_stream_) {
    other.stream_ = nullptr;
    other.temp_path_.clear();
}

AtomicFile::~AtomicFile() {
    discard();
}

void AtomicFile::discard() {
    if (temp_path_.empty()) { // stdout, or a device written in place
        if (owns_stream_ && stream_) std::fclose(stream_);
        stream_ = nullptr;
        return;
    }
    if (stream_) std::fclose(stream_);
    ::unlink(temp_path_.c_str());
    unregister_temp(temp_path_);
    stream_ = nullptr;
    temp_path_.clear();
}

Status AtomicFile::commit() {
    if (temp_path_.empty()) { // stdout, or a device written in place
        const bool failed = std::fflush(stream_) != 0 || std::ferror(stream_);
        const int error = errno ? errno : EIO;
        discard();
        if (failed) return cannot_write(path_, error, ErrorKind::Processing);
        return Ok{};
    }
    int error = 0;
    if (std::fflush(stream_) != 0 || std::ferror(stream_)) error = errno ? errno : EIO;
    if (!error && ::fsync(::fileno(stream_)) != 0 && errno != EINVAL) error = errno;
    if (std::fclose(stream_) != 0 && !error) error = errno ? errno : EIO;
    stream_ = nullptr;
    if (!error && std::rename(temp_path_.c_str(), path_.c_str()) != 0) error = errno;
    if (error) {
        discard();
        return cannot_write(path_, error, ErrorKind::Processing);
    }
    unregister_temp(temp_path_);
    temp_path_.clear();
    return Ok{};
}

} // namespace pitchscribe::cli
