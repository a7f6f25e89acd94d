#pragma once
// One line of node.log or job.log: local time to the millisecond, then the
// event. Pure but for the time zone.

#include <chrono>
#include <string>

namespace lobos {

// "2026-11-23 20:10:01.123 n05 down: not heard for 2.0 s (NodeTimeOut 2)"
std::string log_line(std::chrono::system_clock::time_point at, const std::string& text);

}  // namespace lobos
