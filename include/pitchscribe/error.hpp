// Errors returned by the library, and a small expected<T, Error> for C++20.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pitchscribe {

enum class ErrorKind {
    InvalidArgument, // a setting out of range: the caller's mistake
    InputUnreadable, // missing, empty, not audio, truncated: the input's fault
    Processing,      // something failed while analysing a readable input
};

struct Error {
    ErrorKind kind;
    std::string message; // one line, no trailing newline
};

// Holds either a value or an Error. A stand-in for std::expected (C++23).
template <typename T> class Expected {
public:
    Expected(T value) : state_(std::move(value)) {}
    Expected(Error error) : state_(std::move(error)) {}

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    const T& value() const& { return std::get<0>(state_); }
    T& operator*() & { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
struct Ok {};
using Status = Expected<Ok>;

} // namespace pitchscribe
