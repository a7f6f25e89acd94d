#pragma once
// What the queue daemon and a node's runner tell each other, through files in
// the node's directory of the cluster root (ROOT/nodes/NAME/, a shared file
// system as LoBoS assumed; inotify makes it prompt on one machine, a rescan
// every second makes it work over NFS too):
//
//   ID.start   the daemon: run this job here (NODE0 of its placement)
//   ID.cancel  the daemon: end this job (TERM, then KILL after the grace)
//   ID.state   the runner: starting / running / ended, with the exit status
//   runner.alive  the runner: its sign of life, every HeartBeat (runner_alive.hpp)
//
// The daemon's orders are replaced atomically. ID.state is a log instead:
// one line per report, each the whole report, appended as the job moves on
// (lobosq/job_report_file.hpp), so that a job costs one file there rather
// than one per step. The runner starts a job only when it finds ID.start
// without ID.state, and creates ID.state (starting) before it forks, so a
// job is never started twice, also across restarts of either side. The
// daemon removes all three once it has recorded the end.
// Pure codecs: no files are touched here.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "lobosq/job/job.hpp"

namespace lobos {

struct StartOrder {
    JobSpec spec;
    Placement placement;
    double cancel_grace_seconds = 5;  // CancelGrace of pulse.conf
    JobTime dispatched{};

    bool operator==(const StartOrder&) const = default;
};

struct CancelOrder {
    std::string reason;  // "cancelled by alice", "n05 went down"
    bool operator==(const CancelOrder&) const = default;
};

enum class RunnerState { starting, running, ended };

struct JobReport {
    RunnerState state = RunnerState::starting;
    pid_t shepherd_pid = 0;                 // the process that watches the job
    unsigned long long shepherd_start = 0;  // its start time (/proc/PID/stat field 22), against pid reuse
    pid_t job_pgid = 0;                     // the job's process group, once running
    std::optional<JobTime> started;         // when the script was started
    std::optional<JobEnd> end;              // once ended

    bool operator==(const JobReport&) const = default;
};

std::string encode_start_order(const StartOrder& order);
std::string encode_cancel_order(const CancelOrder& order);
// One line of ID.state: the whole report as JSON on a single line, ending in a newline.
std::string encode_job_report(const JobReport& report);

// nullopt and `error` set ("field 'uid': not a number") when the text is not
// a valid file of that kind.
std::optional<StartOrder> decode_start_order(std::string_view text, std::string& error);
std::optional<CancelOrder> decode_cancel_order(std::string_view text, std::string& error);
// The current report of an ID.state: its last complete line. A last line
// without its newline is an append still under way (or cut short) and is
// passed over; a text with no newline at all is one report on its own.
std::optional<JobReport> decode_job_report(std::string_view text, std::string& error);

// File names in a node's directory: "alice.261123101500.start" and so on.
inline constexpr std::string_view start_suffix = ".start";
inline constexpr std::string_view cancel_suffix = ".cancel";
inline constexpr std::string_view state_suffix = ".state";

}  // namespace lobos
