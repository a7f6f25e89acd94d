#include "share/formats/log_line.hpp"

#include <cstdio>
#include <ctime>

namespace lobos {

std::string log_line(std::chrono::system_clock::time_point at, const std::string& text) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm local{};
    localtime_r(&t, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
    char full[48];
    std::snprintf(full, sizeof full, "%s.%03lld ", stamp, static_cast<long long>(ms));
    return full + text;
}

}  // namespace lobos
