#pragma once
// The daemons' one logger: every line on standard error in the layout of
// daemon_log_line, written with one write() so that lines of threads and of
// processes sharing the file do not interleave. Recoverable I/O failures
// that repeat (a full disk, a stale handle) go through `limited`, so that a
// fault lasting hours logs a line every few seconds, not one a heartbeat.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "share/formats/daemon_log_line.hpp"

namespace lobos {

// At most one line per key every interval; the line after a quiet spell says
// how many were held back. Pure: the time is passed in.
class LogRateLimit {
public:
    using Clock = std::chrono::system_clock;
    // The text to log now (with " (N more like this since HH:MM:SS)" when
    // lines were held back), or nothing when this one is held back.
    std::optional<std::string> admit(std::string_view key, std::string_view text,
                                     std::chrono::seconds interval, Clock::time_point now);

private:
    struct KeyState {
        Clock::time_point last_logged;
        long held_back = 0;
    };
    std::map<std::string, KeyState, std::less<>> keys_;
};

class DaemonLog {
public:
    // `fd` is standard error but in tests.
    DaemonLog(std::string program, std::string host, int fd = 2);

    void info(std::string_view text);
    void warning(std::string_view text);
    void error(std::string_view text);
    void write(LogLevel level, std::string_view text);
    // At most one line per key every `interval`; the next line for that key
    // says how many were held back.
    void limited(LogLevel level, std::string_view key, std::string_view text,
                 std::chrono::seconds interval = std::chrono::seconds(10));
    void limited(LogLevel level, std::string_view key, std::string_view text, std::chrono::seconds interval,
                 LogRateLimit::Clock::time_point now);

    const std::string& program() const { return program_; }
    const std::string& host() const { return host_; }

private:
    void write_at(LogRateLimit::Clock::time_point at, LogLevel level, std::string_view text);

    std::string program_;
    std::string host_;
    int fd_;
    std::mutex mutex_;  // the limiter's state: pulse logs from its detail writer's thread too
    LogRateLimit limit_;
};

}  // namespace lobos
