#pragma once
// What a node measures for its heartbeat: CPU utilisation per CPU, the load
// average, memory and the free space of its disks. The parsers are pure (the
// text of a /proc or /sys file in, values out) and never fail: malformed text
// gives the fallback each one documents. NodeMetrics is the thin edge that
// reads the files; it runs on every compute node, so it keeps a few KB of
// state and reuses one read buffer.

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "share/formats/heartbeat.hpp"

namespace lobos {

// Clock ticks one CPU has spent since boot.
struct CpuTimes {
    std::uint64_t busy = 0;   // user + nice + system + irq + softirq + steal
    std::uint64_t total = 0;  // busy + idle + iowait

    bool operator==(const CpuTimes&) const = default;
};

// The per-CPU lines (`cpuN ...`) of /proc/stat, by CPU number; the aggregate
// `cpu` line and every other line are ignored. Missing trailing columns
// (older kernels have no steal) count as 0; a cpuN line with a malformed
// number is left out.
std::map<int, CpuTimes> parse_proc_stat(std::string_view text);

// Utilisation of every CPU between two samples of /proc/stat, indexed by CPU
// number: one entry for each number up to the highest of `after`, `online`
// and `possible_cpus - 1`, so a CPU keeps its place in the report while it is
// offline. A CPU is online when it is in `online`, or, if `online` is empty
// (the file could not be read), when it is in `after`. Utilisation is the
// busy share of the ticks elapsed, in [0, 1]; it is 0 for an offline CPU, for
// one missing from either sample, and when no ticks elapsed.
std::vector<CpuSample> cpu_utilisation(const std::map<int, CpuTimes>& before,
                                       const std::map<int, CpuTimes>& after, const std::set<int>& online,
                                       int possible_cpus = 0);

// A kernel CPU list such as "0-3,5,7-8" (/sys/devices/system/cpu/online).
// Empty or malformed text gives an empty set.
std::set<int> parse_cpu_list(std::string_view text);

// The 1-minute load average: the first field of /proc/loadavg; 0 when malformed.
float parse_loadavg(std::string_view text);

struct MemoryInfo {
    std::uint64_t available_bytes = 0;
    std::uint64_t total_bytes = 0;

    bool operator==(const MemoryInfo&) const = default;
};

// MemAvailable and MemTotal of /proc/meminfo (kB) in bytes. A kernel older
// than 3.14 has no MemAvailable: MemFree stands in. A missing or malformed
// value is 0.
MemoryInfo parse_meminfo(std::string_view text);

// Where NodeMetrics reads from; tests point it at files of their own.
struct MetricsSources {
    std::filesystem::path proc_stat = "/proc/stat";
    std::filesystem::path cpu_online = "/sys/devices/system/cpu/online";
    std::filesystem::path cpu_possible = "/sys/devices/system/cpu/possible";
    std::filesystem::path loadavg = "/proc/loadavg";
    std::filesystem::path meminfo = "/proc/meminfo";
};

class NodeMetrics {
public:
    // `disks` are the paths of pulse.conf's Disks, in order. Takes the first
    // CPU sample, so the first fill() reports utilisation since construction.
    explicit NodeMetrics(std::vector<std::string> disks, MetricsSources sources = {});

    // Sets cpus, load_average, memory_free_bytes, memory_total_bytes and
    // disks of `report`; utilisation is over the time since the previous call.
    // A file that cannot be read gives the parser's fallback; a disk that
    // cannot be statvfs'd reports 0 free of 0 bytes.
    void fill(HeartbeatReport& report);

    // Messages about disks that newly failed (or recovered) since the last
    // call, for the caller to log once rather than every heartbeat.
    std::vector<std::string> take_messages();

private:
    // Reads `path` into buffer_ (empty when it cannot be read). With
    // `cpu_lines_only`, stops once the per-CPU lines of /proc/stat are in:
    // the interrupt counts after them can be tens of KB on a large machine.
    std::string_view read(const std::filesystem::path& path, bool cpu_lines_only = false);
    DiskSample measure_disk(std::size_t index);

    std::vector<std::string> disks_;
    MetricsSources sources_;
    int possible_cpus_ = 0;
    std::map<int, CpuTimes> previous_;
    std::vector<bool> disk_failing_;
    std::vector<std::string> messages_;
    std::string buffer_;
};

}  // namespace lobos
