#include "pulse/daemon/node_metrics.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

namespace lobos {

namespace {

// No kernel supports more CPUs than this (NR_CPUS tops out at 8192); a
// larger number in a CPU list is garbage, not a reason to allocate.
constexpr int max_cpus = 65536;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Takes the next whitespace-separated field off the front of `text`.
std::string_view next_field(std::string_view& text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end])) ++end;
    std::string_view field = text.substr(0, end);
    text.remove_prefix(end);
    return field;
}

// Takes the next line off the front of `text`, without its newline.
std::string_view next_line(std::string_view& text) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return line;
}

// A whole decimal number that is the entire `text`.
template <typename Number>
std::optional<Number> whole_number(std::string_view text) {
    Number value{};
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(text.data(), last, value);
    if (text.empty() || ec != std::errc() || end != last) return std::nullopt;
    return value;
}

// The counters of one `cpuN` line after its name; nullopt if one is malformed.
std::optional<CpuTimes> cpu_times(std::string_view fields) {
    // Columns: user nice system idle iowait irq softirq steal guest guest_nice.
    // guest and guest_nice are already counted in user and nice.
    std::array<std::uint64_t, 8> column{};
    for (std::uint64_t& value : column) {
        std::string_view field = next_field(fields);
        if (field.empty()) break;
        auto number = whole_number<std::uint64_t>(field);
        if (!number) return std::nullopt;
        value = *number;
    }
    auto [user, nice, system, idle, iowait, irq, softirq, steal] = column;
    CpuTimes times;
    times.busy = user + nice + system + irq + softirq + steal;
    times.total = times.busy + idle + iowait;
    return times;
}

}  // namespace

std::map<int, CpuTimes> parse_proc_stat(std::string_view text) {
    std::map<int, CpuTimes> cpus;
    while (!text.empty()) {
        std::string_view line = next_line(text);
        std::string_view name = next_field(line);
        if (!name.starts_with("cpu") || name.size() == 3) continue;
        auto number = whole_number<int>(name.substr(3));
        if (!number || *number < 0 || *number >= max_cpus) continue;
        if (auto times = cpu_times(line)) cpus[*number] = *times;
    }
    return cpus;
}

std::vector<CpuSample> cpu_utilisation(const std::map<int, CpuTimes>& before,
                                       const std::map<int, CpuTimes>& after, const std::set<int>& online,
                                       int possible_cpus) {
    int count = std::clamp(possible_cpus, 0, max_cpus);
    if (!after.empty()) count = std::max(count, after.rbegin()->first + 1);
    if (!online.empty()) count = std::max(count, *online.rbegin() + 1);

    std::vector<CpuSample> samples(static_cast<std::size_t>(count));
    for (int cpu = 0; cpu < count; ++cpu) {
        CpuSample& sample = samples[static_cast<std::size_t>(cpu)];
        auto now = after.find(cpu);
        sample.online = online.empty() ? now != after.end() : online.contains(cpu);
        sample.utilisation = 0;
        auto then = before.find(cpu);
        if (!sample.online || now == after.end() || then == before.end()) continue;
        // Counters only grow, but a CPU taken offline and back may restart
        // them: a sample that went backwards says nothing about the interval.
        if (now->second.total <= then->second.total || now->second.busy < then->second.busy) continue;
        double busy = static_cast<double>(now->second.busy - then->second.busy);
        double total = static_cast<double>(now->second.total - then->second.total);
        sample.utilisation = static_cast<float>(std::clamp(busy / total, 0.0, 1.0));
    }
    return samples;
}

std::set<int> parse_cpu_list(std::string_view text) {
    std::set<int> cpus;
    text = trim(text);
    while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view part = text.substr(0, comma);
        text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
        std::size_t dash = part.find('-');
        auto first = whole_number<int>(part.substr(0, dash));
        auto last = dash == std::string_view::npos ? first : whole_number<int>(part.substr(dash + 1));
        if (!first || !last || *first < 0 || *last < *first || *last >= max_cpus) return {};
        for (int cpu = *first; cpu <= *last; ++cpu) cpus.insert(cpu);
    }
    return cpus;
}

float parse_loadavg(std::string_view text) {
    std::string_view field = next_field(text);
    float value = 0;
    const char* last = field.data() + field.size();
    auto [end, ec] = std::from_chars(field.data(), last, value, std::chars_format::fixed);
    if (field.empty() || ec != std::errc() || end != last || !std::isfinite(value) || value < 0) return 0;
    return value;
}

MemoryInfo parse_meminfo(std::string_view text) {
    // Each line is `Key:   12345 kB`.
    auto bytes = [](std::string_view rest) -> std::optional<std::uint64_t> {
        auto kilobytes = whole_number<std::uint64_t>(next_field(rest));
        if (!kilobytes || *kilobytes > std::numeric_limits<std::uint64_t>::max() / 1024) return std::nullopt;
        return *kilobytes * 1024;
    };
    std::optional<std::uint64_t> available, free, total;
    while (!text.empty()) {
        std::string_view line = next_line(text);
        std::string_view key = next_field(line);
        if (key == "MemAvailable:")
            available = bytes(line);
        else if (key == "MemFree:")
            free = bytes(line);
        else if (key == "MemTotal:")
            total = bytes(line);
    }
    MemoryInfo info;
    info.available_bytes = available ? *available : free.value_or(0);
    info.total_bytes = total.value_or(0);
    return info;
}

NodeMetrics::NodeMetrics(std::vector<std::string> disks, MetricsSources sources)
    : disks_(std::move(disks)), sources_(std::move(sources)), disk_failing_(disks_.size(), false) {
    // The possible CPUs are fixed at boot; the online ones change with hotplug.
    std::set<int> possible = parse_cpu_list(read(sources_.cpu_possible));
    possible_cpus_ = possible.empty() ? 0 : *possible.rbegin() + 1;
    previous_ = parse_proc_stat(read(sources_.proc_stat, true));
}

void NodeMetrics::fill(HeartbeatReport& report) {
    std::map<int, CpuTimes> current = parse_proc_stat(read(sources_.proc_stat, true));
    report.cpus =
        cpu_utilisation(previous_, current, parse_cpu_list(read(sources_.cpu_online)), possible_cpus_);
    previous_ = std::move(current);

    report.load_average = parse_loadavg(read(sources_.loadavg));
    MemoryInfo memory = parse_meminfo(read(sources_.meminfo));
    report.memory_free_bytes = memory.available_bytes;
    report.memory_total_bytes = memory.total_bytes;

    report.disks.resize(disks_.size());
    for (std::size_t i = 0; i < disks_.size(); ++i) report.disks[i] = measure_disk(i);
}

std::vector<std::string> NodeMetrics::take_messages() { return std::exchange(messages_, {}); }

std::string_view NodeMetrics::read(const std::filesystem::path& path, bool cpu_lines_only) {
    buffer_.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    constexpr std::size_t chunk = 4096;
    std::size_t scanned = 0;  // lines before this offset are all cpu lines
    for (;;) {
        std::size_t used = buffer_.size();
        buffer_.resize(used + chunk);
        ssize_t got = ::read(fd, buffer_.data() + used, chunk);
        if (got < 0 && errno == EINTR) {
            buffer_.resize(used);
            continue;
        }
        buffer_.resize(used + static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
        if (got < 0) buffer_.clear();
        if (got <= 0) break;
        if (!cpu_lines_only) continue;
        // Stop at the first complete line that is not a cpu line.
        bool past_cpu_lines = false;
        for (std::size_t end; (end = buffer_.find('\n', scanned)) != std::string::npos; scanned = end + 1) {
            if (std::string_view(buffer_).substr(scanned, 3) != "cpu") {
                past_cpu_lines = true;
                break;
            }
        }
        if (past_cpu_lines) break;
    }
    ::close(fd);
    return buffer_;
}

DiskSample NodeMetrics::measure_disk(std::size_t index) {
    const std::string& path = disks_[index];
    struct statvfs fs {};
    DiskSample sample;
    bool failed = ::statvfs(path.c_str(), &fs) != 0;
    int error = failed ? errno : 0;
    if (!failed) {
        // f_bavail: what an unprivileged user can still write; root's reserve is not free space.
        sample.free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
        sample.total_bytes = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
    }
    if (failed && !disk_failing_[index])
        messages_.push_back("disk " + path + ": cannot measure free space: " +
                            std::system_category().message(error) + "; reporting 0 bytes");
    else if (!failed && disk_failing_[index])
        messages_.push_back("disk " + path + ": free space can be measured again");
    disk_failing_[index] = failed;
    return sample;
}

}  // namespace lobos
