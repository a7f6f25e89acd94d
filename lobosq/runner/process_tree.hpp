#pragma once
// The processes of a job, found from /proc: every process whose chain of
// parents leads to the job's shepherd (a child subreaper, so even a process
// that daemonizes stays in its subtree) or that is in the job's process
// group. parse_process_stat and descendants_of are pure; the read_ functions
// are the /proc edge.

#include <sys/types.h>

#include <optional>
#include <string_view>
#include <vector>

namespace lobos {

struct ProcessInfo {
    pid_t pid = 0;
    char state = '?';  // 'R', 'S', 'Z' (a zombie: dead, waiting to be reaped)...
    pid_t ppid = 0;
    pid_t pgid = 0;
    unsigned long long start_time = 0;  // field 22: clock ticks after boot, tells reused pids apart

    bool operator==(const ProcessInfo&) const = default;
};

// The text of /proc/PID/stat; nullopt when it is not one. The command name
// (field 2) may hold blanks and parentheses, so fields are counted from the
// last ')'.
std::optional<ProcessInfo> parse_process_stat(std::string_view text);

// Every process of `processes` that is not a zombie and whose chain of
// parents leads to `ancestor`, or (when `group` is not 0) that is in process
// group `group`; never `ancestor` itself. In the order of `processes`.
std::vector<pid_t> descendants_of(pid_t ancestor, pid_t group, const std::vector<ProcessInfo>& processes);

// Every process /proc shows now (those that end while it is read are left out).
std::vector<ProcessInfo> read_process_table();
// One process; nullopt when there is no such process.
std::optional<ProcessInfo> read_process(pid_t pid);

}  // namespace lobos
