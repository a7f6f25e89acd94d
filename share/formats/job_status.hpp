#pragma once
// The queue as the dispatcher publishes it: job_status exactly in LoBoS's
// format (SPEC section 3) for people and old tools, and job_detail.json
// beside it with what job_status has no column for, for `lobosq stat` and
// webstatus. Pure: formatting and parsing only.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "share/formats/wait_reason.hpp"

namespace lobos {

using StatusClock = std::chrono::system_clock;

// One line of job_status:
//   billings.971008161803 260 9000 1 2 1997 Oct 08 18:23:00 1:00:00 0:00:00 1,3
struct JobStatusLine {
    std::string id;
    unsigned uid = 0;
    unsigned gid = 0;
    int priority = 1;
    int cpu_count = 0;
    StatusClock::time_point start{};    // actual start (running) or estimated start (waiting)
    std::chrono::seconds estimated{0};  // ETIME
    std::chrono::seconds actual{0};     // run so far
    std::vector<int> cpus;              // empty for a waiting job: written "-"

    bool operator==(const JobStatusLine&) const = default;
};

struct JobStatus {
    StatusClock::time_point written{};
    std::vector<JobStatusLine> jobs;  // running jobs first, then waiting ones in queue order
};

// "# Job Status Date:Wed Oct 8 16:23:00 1997", the column header, one line a
// job. Times in local time; durations H:MM:SS (hours may exceed 24).
std::string format_job_status(const JobStatus& status);

// Reads job_status text back; lines that do not parse are skipped and counted.
struct JobStatusRead {
    JobStatus status;
    int skipped_lines = 0;
};
JobStatusRead parse_job_status(const std::string& text);

// One job as `lobosq stat` and webstatus show it.
struct JobView {
    std::string id;
    std::string user;
    unsigned uid = 0;
    unsigned gid = 0;
    std::string state;  // "waiting" or "running"
    int priority = 1;
    int nprocs_low = 1;  // requested
    int nprocs_high = 1;
    int tpip = 1;
    std::vector<int> cpus;           // held (running)
    std::vector<std::string> nodes;  // distinct hosts, NODE0 first (running)
    StatusClock::time_point submitted{};
    std::optional<StatusClock::time_point> start;  // actual, or estimated for a waiting job
    bool start_estimated = false;
    std::chrono::seconds etime{0};
    std::chrono::seconds run{0};
    WaitReason why;   // why a waiting job waits; none when running
    std::string dir;  // submit directory

    bool operator==(const JobView&) const = default;
};

struct JobDetail {
    StatusClock::time_point written{};
    std::string writer;  // the master whose queue daemon wrote it
    int cluster_cpus = 0;
    int free_cpus = 0;  // free CPUs on up nodes
    std::vector<JobView> jobs;

    bool operator==(const JobDetail&) const = default;
};

std::string format_job_detail(const JobDetail& detail);  // JSON
// nullopt and `error` naming the field when the text is not a job detail file.
std::optional<JobDetail> parse_job_detail(const std::string& text, std::string& error);

}  // namespace lobos
