#pragma once
// The one layout of a daemon's log line on standard error, whichever daemon
// writes it: "2026-12-06T11:20:01.123+00:00 lobosqd master1 warning: text".
// ISO-8601 local time with milliseconds and the zone's offset, so that lines
// of hosts in different zones sort and compare; then the program, the host
// and the level. Pure but for the time zone: the time is passed in.

#include <chrono>
#include <string>
#include <string_view>

namespace lobos {

enum class LogLevel { info, warning, error };

std::string_view to_string(LogLevel level);

// The line without its newline.
std::string daemon_log_line(std::chrono::system_clock::time_point at, std::string_view program,
                            std::string_view host, LogLevel level, std::string_view text);

}  // namespace lobos
