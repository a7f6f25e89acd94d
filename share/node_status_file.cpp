// node_status as LoBoS wrote it (SPEC section 3): format_node_status and
// parse_node_status of share/node_status.hpp.

#include <time.h>

#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "share/node_status.hpp"

namespace lobos {

namespace {

// English names whatever the locale: the format is LoBoS's, not the user's.
constexpr std::array<std::string_view, 7> weekday_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct TimeOfDay {
    int hour = 0;
    int minute = 0;
    int second = 0;
};

std::tm local_time(WallTime when) {
    std::time_t seconds = std::chrono::floor<std::chrono::seconds>(when.time_since_epoch()).count();
    std::tm local{};
    localtime_r(&seconds, &local);
    return local;
}

// mktime of a broken-down local time whose DST flag is unknown.
WallTime from_local(std::tm local) {
    local.tm_isdst = -1;
    return WallTime(std::chrono::seconds(mktime(&local)));
}

void append_number(std::string& out, int value, int width) {
    std::array<char, 16> digits{};
    auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    for (int pad = width - static_cast<int>(end - digits.data()); pad > 0; --pad) out += '0';
    out.append(digits.data(), end);
}

void append_time_of_day(std::string& out, const std::tm& local) {
    append_number(out, local.tm_hour, 2);
    out += ':';
    append_number(out, local.tm_min, 2);
    out += ':';
    append_number(out, local.tm_sec, 2);
}

// asctime's layout without its newline, and with the day of the month
// unpadded as in LoBoS's files: "Wed Oct 8 16:23:00 1997".
void append_date(std::string& out, WallTime when) {
    std::tm local = local_time(when);
    out += weekday_names[static_cast<std::size_t>(local.tm_wday % 7)];
    out += ' ';
    out += month_names[static_cast<std::size_t>(local.tm_mon % 12)];
    out += ' ';
    append_number(out, local.tm_mday, 1);
    out += ' ';
    append_time_of_day(out, local);
    out += ' ';
    append_number(out, local.tm_year + 1900, 1);
}

std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> fields;
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        std::size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

std::optional<int> number_in(std::string_view text, int min, int max) {
    int value = 0;
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(text.data(), last, value);
    if (text.empty() || ec != std::errc() || end != last || value < min || value > max) return std::nullopt;
    return value;
}

// "HH:MM:SS".
std::optional<TimeOfDay> parse_time_of_day(std::string_view text) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
    auto hour = number_in(text.substr(0, 2), 0, 23);
    auto minute = number_in(text.substr(3, 2), 0, 59);
    auto second = number_in(text.substr(6, 2), 0, 59);
    if (!hour || !minute || !second) return std::nullopt;
    return TimeOfDay{*hour, *minute, *second};
}

std::optional<bool> parse_status(std::string_view text) {
    if (text == "1") return true;
    if (text == "0") return false;
    return std::nullopt;
}

// The header's "Date: Sat Sep 20 13:53:04 1997" (the weekday is not checked:
// the date says which day it was).
std::optional<WallTime> parse_header_date(std::string_view comment) {
    std::size_t at = comment.find("Date:");
    if (at == std::string_view::npos) return std::nullopt;
    std::vector<std::string_view> fields = fields_of(comment.substr(at + 5));
    if (fields.size() != 5) return std::nullopt;
    int month = 0;
    while (month < 12 && month_names[static_cast<std::size_t>(month)] != fields[1]) ++month;
    auto day = number_in(fields[2], 1, 31);
    auto time = parse_time_of_day(fields[3]);
    auto year = number_in(fields[4], 1900, 9999);
    if (month == 12 || !day || !time || !year) return std::nullopt;
    std::tm local{};
    local.tm_year = *year - 1900;
    local.tm_mon = month;
    local.tm_mday = *day;
    local.tm_hour = time->hour;
    local.tm_min = time->minute;
    local.tm_sec = time->second;
    return from_local(local);
}

// The latest moment at or before `today` that shows `time` on a local
// clock: today's date, or yesterday's for a change just before midnight.
WallTime last_at(TimeOfDay time, WallTime today) {
    std::tm local = local_time(today);
    auto at_time = [&](std::tm day) {
        day.tm_hour = time.hour;
        day.tm_min = time.minute;
        day.tm_sec = time.second;
        return from_local(day);
    };
    WallTime since = at_time(local);
    if (since <= today) return since;
    local.tm_mday -= 1;  // mktime carries into the previous month or year
    return at_time(local);
}

}  // namespace

std::string format_node_status(const NodeStatus& status) {
    std::string out;
    out.reserve(64 + status.nodes.size() * 32 + status.links.size() * 80);
    out += "# Node status file\n# Version 0.10 Date: ";
    append_date(out, status.written);
    out += '\n';
    for (const NodeState& node : status.nodes) {
        out += "node ";
        append_time_of_day(out, local_time(node.since));
        out += ' ';
        out += node.name;
        out += node.up ? " 1\n" : " 0\n";
    }
    for (const LinkState& link : status.links) {
        out += "link ";
        append_time_of_day(out, local_time(link.since));
        for (const std::string* field : {&link.name1, &link.name2, &link.ip1, &link.ip2}) {
            out += ' ';
            out += *field;
        }
        out += link.up ? " 1\n" : " 0\n";
    }
    return out;
}

NodeStatusRead parse_node_status(const std::string& text, WallTime today) {
    NodeStatusRead read;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);

        std::vector<std::string_view> fields = fields_of(line);
        if (fields.empty()) continue;
        if (fields[0].starts_with('#')) {
            if (auto written = parse_header_date(line)) read.status.written = *written;
            continue;
        }
        std::optional<TimeOfDay> time = fields.size() > 1 ? parse_time_of_day(fields[1]) : std::nullopt;
        std::optional<bool> up = parse_status(fields.back());
        if (fields[0] == "node" && fields.size() == 4 && time && up) {
            read.status.nodes.push_back(NodeState{std::string(fields[2]), *up, last_at(*time, today)});
        } else if (fields[0] == "link" && fields.size() == 7 && time && up) {
            read.status.links.push_back(LinkState{std::string(fields[2]), std::string(fields[3]),
                                                  std::string(fields[4]), std::string(fields[5]), *up,
                                                  last_at(*time, today)});
        } else {
            ++read.skipped_lines;
        }
    }
    return read;
}

}  // namespace lobos
