#include "share/formats/daemon_log_line.hpp"

#include <time.h>

#include <cstdio>
#include <cstdlib>

#include "share/formats/decimal_text.hpp"

namespace lobos {

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::info:
            return "info";
        case LogLevel::warning:
            return "warning";
        case LogLevel::error:
            return "error";
    }
    return "error";
}

std::string daemon_log_line(std::chrono::system_clock::time_point at, std::string_view program,
                            std::string_view host, LogLevel level, std::string_view text) {
    const auto since_epoch = std::chrono::floor<std::chrono::milliseconds>(at.time_since_epoch());
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const std::time_t t = seconds.count();
    std::tm local{};
    localtime_r(&t, &local);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &local);
    std::string line = stamp;
    line += '.';
    append_decimal(line, static_cast<long long>((since_epoch - seconds).count()), 3);
    // tm_gmtoff rather than strftime's %z: ISO-8601 wants the colon in "+01:00".
    const long offset_minutes = local.tm_gmtoff / 60;
    line += offset_minutes < 0 ? '-' : '+';
    append_decimal(line, std::labs(offset_minutes) / 60, 2);
    line += ':';
    append_decimal(line, std::labs(offset_minutes) % 60, 2);
    line += ' ';
    line += program;
    line += ' ';
    line += host;
    line += ' ';
    line += to_string(level);
    line += ": ";
    line += text;
    return line;
}

}  // namespace lobos
