#pragma once
// Reading job.log and the run-marker files jobs leave, for the multi-host
// fault tests: how many times something was said, and when.

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>

#include "share/formats/local_time.hpp"

namespace lobos::test {

inline int count_of(const std::string& text, const std::string& part) {
    int n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// Files in `dir` whose names start with `prefix` (a job's run markers: "ID.").
inline int files_starting_with(const std::filesystem::path& dir, const std::string& prefix) {
    int n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().filename().string().starts_with(prefix)) ++n;
    return n;
}

// The first line of `log` that contains `part`, or "".
inline std::string line_with(const std::string& log, const std::string& part) {
    const auto at = log.find(part);
    if (at == std::string::npos) return "";
    const auto begin = log.rfind('\n', at);
    const auto from = begin == std::string::npos ? 0 : begin + 1;
    return log.substr(from, log.find('\n', at) - from);
}

// Every line of `log` that contains `part`.
inline std::string lines_with(const std::string& log, const std::string& part) {
    std::string out;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
        if (line.find(part) != std::string::npos) out += line + "\n";
    return out;
}

// When a job.log line was written: its local time to the millisecond
// ("2026-11-23 20:10:01.123 ..."), nullopt when the line has none.
inline std::optional<std::chrono::system_clock::time_point> job_log_time(const std::string& line) {
    std::tm local{};
    std::istringstream in(line);
    in >> std::get_time(&local, "%Y-%m-%d %H:%M:%S");
    char dot = 0;
    int ms = -1;
    in >> dot >> ms;
    if (in.fail() || dot != '.' || ms < 0 || ms > 999) return std::nullopt;
    local.tm_isdst = -1;
    return from_local_tm(local) + std::chrono::milliseconds(ms);
}

}  // namespace lobos::test
