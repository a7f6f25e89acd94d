#include "share/formats/job_id.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>

namespace lobos {

namespace {

constexpr std::size_t max_user_length = 32;
constexpr std::size_t stamp_length = 12;  // yymmddhhmmss

bool ascii_letter_or_digit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The names useradd accepts, without the '$' of machine accounts: an id
// becomes a file name, so nothing here may make a path ("..", "/") or an
// option ("-x").
bool is_user_name(std::string_view user) {
    if (user.empty() || user.size() > max_user_length || user.front() == '-' || user.front() == '.')
        return false;
    return std::all_of(user.begin(), user.end(),
                       [](char c) { return ascii_letter_or_digit(c) || c == '_' || c == '-' || c == '.'; });
}

}  // namespace

std::string make_job_id(std::string_view user, WallTime when) {
    const std::time_t seconds = WallClock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
    std::tm local{};
    localtime_r(&seconds, &local);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%02d%02d%02d%02d%02d%02d", local.tm_year % 100, local.tm_mon + 1,
                  local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec);
    return std::string(user) + "." + stamp;
}

bool is_job_id(std::string_view text) { return job_id_user(text).has_value(); }

std::optional<std::string> job_id_user(std::string_view id) {
    // The user name may hold dots itself: the stamp is what follows the last.
    const std::size_t dot = id.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view user = id.substr(0, dot);
    const std::string_view stamp = id.substr(dot + 1);
    if (stamp.size() != stamp_length ||
        !std::all_of(stamp.begin(), stamp.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    if (!is_user_name(user)) return std::nullopt;
    return std::string(user);
}

}  // namespace lobos
