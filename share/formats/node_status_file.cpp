// node_status as LoBoS wrote it (SPEC section 3): format_node_status and
// parse_node_status of share/node_status.hpp.

#include <chrono>
#include <ctime>
#include <optional>
#include <string_view>
#include <vector>

#include "share/formats/line_fields.hpp"
#include "share/formats/local_time.hpp"
#include "share/formats/node_status.hpp"

namespace lobos {

namespace {

std::optional<bool> parse_status(std::string_view text) {
    if (text == "1") return true;
    if (text == "0") return false;
    return std::nullopt;
}

// The header's "Date: Sat Sep 20 13:53:04 1997".
std::optional<WallTime> parse_header_date(std::string_view comment) {
    const std::size_t at = comment.find("Date:");
    if (at == std::string_view::npos) return std::nullopt;
    return read_asctime_date(comment.substr(at + 5));
}

// The latest moment at or before `today` that shows `time` on a local
// clock: today's date, or yesterday's for a change just before midnight.
WallTime last_at(TimeOfDay time, WallTime today) {
    std::tm local = to_local_tm(today);
    auto at_time = [&](std::tm day) {
        day.tm_hour = time.hour;
        day.tm_min = time.minute;
        day.tm_sec = time.second;
        return from_local_tm(day);
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
    append_asctime_date(out, status.written);
    out += '\n';
    for (const NodeState& node : status.nodes) {
        out += "node ";
        append_time_of_day(out, node.since);
        out += ' ';
        out += node.name;
        out += node.up ? " 1\n" : " 0\n";
    }
    for (const LinkState& link : status.links) {
        out += "link ";
        append_time_of_day(out, link.since);
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

        std::vector<std::string_view> fields = line_fields(line);
        if (fields.empty()) continue;
        if (fields[0].starts_with('#')) {
            if (auto written = parse_header_date(line)) read.status.written = *written;
            continue;
        }
        std::optional<TimeOfDay> time = fields.size() > 1 ? read_time_of_day(fields[1]) : std::nullopt;
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

bool everything_up(const NodeStatus& status) {
    if (status.nodes.empty()) return false;
    for (const NodeState& n : status.nodes)
        if (!n.up) return false;
    for (const LinkState& l : status.links)
        if (!l.up) return false;
    return true;
}

}  // namespace lobos
