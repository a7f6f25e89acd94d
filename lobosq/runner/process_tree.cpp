#include "lobosq/runner/process_tree.hpp"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <unordered_map>

namespace lobos {
namespace {

template <class Number>
bool parse_number(std::string_view text, Number& value) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

// The blank-separated words of `text`.
std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto start = text.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        text.remove_prefix(start);
        const auto end = text.find(' ');
        out.push_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end);
    }
    return out;
}

// /proc files are small and read in one go; nullopt when the process is gone.
std::optional<std::string> read_small_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string text;
    char buffer[1024];
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (text.empty()) return std::nullopt;
    return text;
}

}  // namespace

std::optional<ProcessInfo> parse_process_stat(std::string_view text) {
    const auto open = text.find('(');
    const auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;
    ProcessInfo info;
    std::string_view pid_text = text.substr(0, open);
    while (pid_text.ends_with(' ')) pid_text.remove_suffix(1);
    if (!parse_number(pid_text, info.pid)) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    while (rest.ends_with('\n')) rest.remove_suffix(1);
    const auto fields = words(rest);  // fields[0] is field 3 of the file
    constexpr std::size_t start_time_index = 22 - 3;
    if (fields.size() <= start_time_index || fields[0].size() != 1) return std::nullopt;
    info.state = fields[0][0];
    if (!parse_number(fields[1], info.ppid) || !parse_number(fields[2], info.pgid) ||
        !parse_number(fields[start_time_index], info.start_time))
        return std::nullopt;
    return info;
}

std::vector<pid_t> descendants_of(pid_t ancestor, pid_t group, const std::vector<ProcessInfo>& processes) {
    std::unordered_map<pid_t, pid_t> parent;
    for (const ProcessInfo& p : processes) parent[p.pid] = p.ppid;
    std::vector<pid_t> found;
    for (const ProcessInfo& p : processes) {
        if (p.pid == ancestor || p.state == 'Z') continue;
        bool belongs = group != 0 && p.pgid == group;
        // Bounded, in case the table was read while processes were changing parents.
        pid_t up = p.ppid;
        for (std::size_t steps = 0; !belongs && up > 0 && steps < processes.size(); ++steps) {
            if (up == ancestor) {
                belongs = true;
                break;
            }
            auto it = parent.find(up);
            if (it == parent.end()) break;
            up = it->second;
        }
        if (belongs) found.push_back(p.pid);
    }
    return found;
}

std::vector<ProcessInfo> read_process_table() {
    std::vector<ProcessInfo> table;
    DIR* proc = ::opendir("/proc");
    if (!proc) return table;
    while (const dirent* entry = ::readdir(proc)) {
        pid_t pid = 0;
        if (!parse_number(std::string_view(entry->d_name), pid)) continue;
        if (auto info = read_process(pid)) table.push_back(*info);
    }
    ::closedir(proc);
    return table;
}

std::optional<ProcessInfo> read_process(pid_t pid) {
    auto text = read_small_file("/proc/" + std::to_string(pid) + "/stat");
    if (!text) return std::nullopt;
    return parse_process_stat(*text);
}

}  // namespace lobos
