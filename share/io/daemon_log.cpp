#include "share/io/daemon_log.hpp"

#include <unistd.h>

#include <cerrno>

#include "share/formats/local_time.hpp"

namespace lobos {

std::optional<std::string> LogRateLimit::admit(std::string_view key, std::string_view text,
                                               std::chrono::seconds interval, Clock::time_point now) {
    auto it = keys_.find(key);
    if (it == keys_.end()) {
        keys_.emplace(std::string(key), KeyState{now, 0});
        return std::string(text);
    }
    KeyState& state = it->second;
    // A clock stepped back counts as a quiet spell: better a line too many
    // than a fault that stays silent.
    if (now >= state.last_logged && now - state.last_logged < interval) {
        ++state.held_back;
        return std::nullopt;
    }
    std::string line(text);
    if (state.held_back > 0) {
        line += " (" + std::to_string(state.held_back) + " more like this since ";
        append_time_of_day(line, state.last_logged);
        line += ')';
    }
    state = KeyState{now, 0};
    return line;
}

DaemonLog::DaemonLog(std::string program, std::string host, int fd)
    : program_(std::move(program)), host_(std::move(host)), fd_(fd) {}

void DaemonLog::info(std::string_view text) { write(LogLevel::info, text); }
void DaemonLog::warning(std::string_view text) { write(LogLevel::warning, text); }
void DaemonLog::error(std::string_view text) { write(LogLevel::error, text); }

void DaemonLog::write(LogLevel level, std::string_view text) {
    write_at(LogRateLimit::Clock::now(), level, text);
}

void DaemonLog::limited(LogLevel level, std::string_view key, std::string_view text,
                        std::chrono::seconds interval) {
    limited(level, key, text, interval, LogRateLimit::Clock::now());
}

void DaemonLog::limited(LogLevel level, std::string_view key, std::string_view text,
                        std::chrono::seconds interval, LogRateLimit::Clock::time_point now) {
    std::optional<std::string> line;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        line = limit_.admit(key, text, interval, now);
    }
    if (line) write_at(now, level, *line);
}

void DaemonLog::write_at(LogRateLimit::Clock::time_point at, LogLevel level, std::string_view text) {
    std::string line = daemon_log_line(at, program_, host_, level, text);
    line += '\n';
    // One write() for the line; the loop only finishes a short write. A log
    // that cannot be written is dropped: logging must not end the daemon.
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace lobos
