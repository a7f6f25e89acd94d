#pragma once
// Times as LoBoS's text shows them: local dates and times of day in
// node_status, job_status and `lobosq stat`, and H:MM:SS durations. Month
// and weekday names are English whatever the locale: the formats are
// LoBoS's, not the user's.

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace lobos {

using LocalClock = std::chrono::system_clock;

// localtime_r of `when`, to the second.
std::tm to_local_tm(LocalClock::time_point when);
// mktime of a broken-down local time whose DST flag is unknown; out of range
// fields carry over (day 0 is the last day of the previous month).
LocalClock::time_point from_local_tm(std::tm local);

std::string_view month_name(int month);      // tm_mon: 0 is "Jan"
std::string_view weekday_name(int weekday);  // tm_wday: 0 is "Sun"

// "16:23:00".
void append_time_of_day(std::string& out, LocalClock::time_point when);
// asctime's layout without its newline, and with the day of the month
// unpadded as in LoBoS's files: "Wed Oct 8 16:23:00 1997".
void append_asctime_date(std::string& out, LocalClock::time_point when);
// "18:23" when `when` falls on the day of `now`, else "Oct  8 18:23" (the
// day padded as ls pads it, so that a column of them lines up).
std::string short_local_time(LocalClock::time_point when, LocalClock::time_point now);
// job_status's Start Time: "1997 Oct 08 18:23:00".
void append_year_first_date(std::string& out, LocalClock::time_point when);

struct TimeOfDay {
    int hour = 0;
    int minute = 0;
    int second = 0;  // 60 for a leap second, as std::tm allows
};
// "HH:MM:SS", two digits each.
std::optional<TimeOfDay> read_time_of_day(std::string_view text);
// "Sat Sep 20 13:53:04 1997", blanks between the fields; the weekday is not
// checked: the date says which day it was.
std::optional<LocalClock::time_point> read_asctime_date(std::string_view text);
// The fields of "1997 Oct 08 18:23:00", already split.
std::optional<LocalClock::time_point> read_year_first_date(std::string_view year, std::string_view month,
                                                           std::string_view day, std::string_view time);

// "1:00:00": hours are not wrapped at 24, and a negative duration (a clock
// stepped back) shows as 0:00:00.
std::string format_duration(std::chrono::seconds duration);
// The same text back; hours of any size.
std::optional<std::chrono::seconds> read_duration(std::string_view text);

}  // namespace lobos
