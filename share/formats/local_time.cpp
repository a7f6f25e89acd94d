#include "share/formats/local_time.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "share/formats/decimal_text.hpp"
#include "share/formats/line_fields.hpp"

namespace lobos {

namespace {

constexpr std::array<std::string_view, 7> weekday_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void append_time_of_day(std::string& out, const std::tm& local) {
    append_decimal(out, local.tm_hour, 2);
    out += ':';
    append_decimal(out, local.tm_min, 2);
    out += ':';
    append_decimal(out, local.tm_sec, 2);
}

std::optional<int> month_number(std::string_view name) {
    for (std::size_t i = 0; i < month_names.size(); ++i)
        if (month_names[i] == name) return static_cast<int>(i);
    return std::nullopt;
}

}  // namespace

std::tm to_local_tm(LocalClock::time_point when) {
    const std::time_t seconds = std::chrono::floor<std::chrono::seconds>(when.time_since_epoch()).count();
    std::tm local{};
    localtime_r(&seconds, &local);
    return local;
}

LocalClock::time_point from_local_tm(std::tm local) {
    local.tm_isdst = -1;
    return LocalClock::time_point(std::chrono::seconds(mktime(&local)));
}

// The modulo keeps a broken-down time that mktime did not normalise inside
// the tables.
std::string_view month_name(int month) { return month_names[static_cast<std::size_t>(month % 12)]; }
std::string_view weekday_name(int weekday) { return weekday_names[static_cast<std::size_t>(weekday % 7)]; }

void append_time_of_day(std::string& out, LocalClock::time_point when) {
    append_time_of_day(out, to_local_tm(when));
}

void append_asctime_date(std::string& out, LocalClock::time_point when) {
    const std::tm local = to_local_tm(when);
    out += weekday_name(local.tm_wday);
    out += ' ';
    out += month_name(local.tm_mon);
    out += ' ';
    append_decimal(out, local.tm_mday, 1);
    out += ' ';
    append_time_of_day(out, local);
    out += ' ';
    append_decimal(out, local.tm_year + 1900, 1);
}

std::string short_local_time(LocalClock::time_point when, LocalClock::time_point now) {
    const std::tm at = to_local_tm(when);
    const std::tm today = to_local_tm(now);
    char text[32];
    if (at.tm_year == today.tm_year && at.tm_yday == today.tm_yday)
        std::snprintf(text, sizeof text, "%02d:%02d", at.tm_hour % 100, at.tm_min % 100);
    else
        std::snprintf(text, sizeof text, "%s %2d %02d:%02d", std::string(month_name(at.tm_mon)).c_str(),
                      at.tm_mday % 100, at.tm_hour % 100, at.tm_min % 100);
    return text;
}

void append_year_first_date(std::string& out, LocalClock::time_point when) {
    const std::tm local = to_local_tm(when);
    append_decimal(out, local.tm_year + 1900, 1);
    out += ' ';
    out += month_name(local.tm_mon);
    out += ' ';
    append_decimal(out, local.tm_mday, 2);
    out += ' ';
    append_time_of_day(out, local);
}

std::optional<TimeOfDay> read_time_of_day(std::string_view text) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
    auto hour = decimal_in(text.substr(0, 2), 0, 23);
    auto minute = decimal_in(text.substr(3, 2), 0, 59);
    auto second = decimal_in(text.substr(6, 2), 0, 60);
    if (!hour || !minute || !second) return std::nullopt;
    return TimeOfDay{*hour, *minute, *second};
}

std::optional<LocalClock::time_point> read_asctime_date(std::string_view text) {
    const std::vector<std::string_view> fields = line_fields(text);
    if (fields.size() != 5) return std::nullopt;
    return read_year_first_date(fields[4], fields[1], fields[2], fields[3]);
}

std::optional<LocalClock::time_point> read_year_first_date(std::string_view year_text,
                                                           std::string_view month_text,
                                                           std::string_view day_text,
                                                           std::string_view time_text) {
    auto year = decimal_in(year_text, 1900, 9999);
    auto month = month_number(month_text);
    auto day = decimal_in(day_text, 1, 31);
    auto time = read_time_of_day(time_text);
    if (!year || !month || !day || !time) return std::nullopt;
    std::tm local{};
    local.tm_year = *year - 1900;
    local.tm_mon = *month;
    local.tm_mday = *day;
    local.tm_hour = time->hour;
    local.tm_min = time->minute;
    local.tm_sec = time->second;
    return from_local_tm(local);
}

std::string format_duration(std::chrono::seconds duration) {
    const long long total = std::max<long long>(duration.count(), 0);
    std::string out;
    append_decimal(out, total / 3600, 1);
    out += ':';
    append_decimal(out, total / 60 % 60, 2);
    out += ':';
    append_decimal(out, total % 60, 2);
    return out;
}

std::optional<std::chrono::seconds> read_duration(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || text.size() != colon + 6 || text[colon + 3] != ':')
        return std::nullopt;
    auto hours = decimal_in<long long>(text.substr(0, colon), 0, 1'000'000'000);
    auto minutes = decimal_in<long long>(text.substr(colon + 1, 2), 0, 59);
    auto seconds = decimal_in<long long>(text.substr(colon + 4, 2), 0, 59);
    if (!hours || !minutes || !seconds) return std::nullopt;
    return std::chrono::seconds(*hours * 3600 + *minutes * 60 + *seconds);
}

}  // namespace lobos
