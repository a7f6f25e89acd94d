#include "webstatus/content/job_log_index.hpp"

#include <charconv>

#include "share/formats/job_id.hpp"

namespace lobos::web {

namespace {

std::string_view next_field(std::string_view& rest) {
    const std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) {
        rest = {};
        return {};
    }
    rest.remove_prefix(start);
    const std::size_t end = rest.find(' ');
    const std::string_view field = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    return field;
}

// "submitted by alice (uid 1000): 2 CPUs, TPIP 1, ETIME 5, in /home/alice"
void read_submission(std::string_view event, JobLogEntry& entry) {
    std::string_view rest = event.substr(std::string_view("submitted by ").size());
    const std::size_t open = rest.find(" (uid ");
    if (open == std::string_view::npos) return;
    entry.user = std::string(rest.substr(0, open));
    rest.remove_prefix(open + 6);
    unsigned uid = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), uid);
    if (ec == std::errc() && end != rest.data() + rest.size() && *end == ')') entry.uid = uid;
    // The directory is last and may hold ", in " itself: the first ", in "
    // after the ETIME field starts it.
    const std::size_t etime = rest.find(", ETIME ");
    if (etime == std::string_view::npos) return;
    const std::size_t in = rest.find(", in ", etime);
    if (in != std::string_view::npos) entry.dir = std::string(rest.substr(in + 5));
}

bool is_final(std::string_view event) {
    for (std::string_view word : {"ended", "cancelled", "failed", "refused"})
        if (event.starts_with(word) &&
            (event.size() == word.size() || event[word.size()] == ':' || event[word.size()] == ' '))
            return true;
    return false;
}

}  // namespace

void JobLogIndex::add_lines(std::string_view text) {
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        if (end == std::string_view::npos) break;
        add_line(text.substr(0, end));
        text.remove_prefix(end + 1);
    }
}

void JobLogIndex::add_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view rest = line;
    next_field(rest);  // date
    next_field(rest);  // time
    const std::string_view id = next_field(rest);
    if (!is_job_id(id)) return;
    JobLogEntry& entry = jobs_[std::string(id)];
    if (rest.starts_with("submitted by ")) read_submission(rest, entry);
    if (is_final(rest)) entry.finished = true;
    if (entry.events.size() >= max_events) entry.events.erase(entry.events.begin() + 2);
    entry.events.emplace_back(line);
}

const JobLogEntry* JobLogIndex::find(std::string_view id) const {
    const auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : &it->second;
}

}  // namespace lobos::web
