#pragma once
// A job as the queue knows it: what was submitted (JobSpec, fixed once
// accepted), where it runs (Placement) and how it ended (JobEnd). Plain
// values shared by the queue daemon, its durable records, the node-side
// runner and `lobosq stat`.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lobosq/job/directives.hpp"
#include "share/formats/wall_clock.hpp"

namespace lobos {

// Jobs are timed by the one wall clock (share/formats/wall_clock.hpp).
using JobClock = WallClock;
using JobTime = WallTime;

struct JobSpec {
    std::string id;    // username.yymmddhhmmss
    std::string user;  // the name of uid, when the job was accepted
    uid_t uid = 0;     // from the owner of the spool file, never from its contents
    gid_t gid = 0;     // uid's primary group
    std::string dir;   // the directory it was submitted from: the job runs there
    std::string script;
    JobDirectives directives;
    JobTime submitted{};
    // The submitter's environment, passed on to the job (LOBOS_* and the
    // user's identity are set over it when the job starts).
    std::map<std::string, std::string> environment;

    bool operator==(const JobSpec&) const = default;
};

// The CPUs a job holds. CPUs are numbered through the cluster in the order of
// config/nodes (compute nodes only): the first node's CPUs are 1..n, the next
// node's continue (SPEC section 3).
struct Placement {
    std::vector<int> cpus;           // cluster numbers, NODE0's first
    std::vector<std::string> nodes;  // one entry per CPU, the host of cpus[i]
    std::string node0() const { return nodes.empty() ? std::string() : nodes.front(); }
    // Each host once, in order of first appearance (NODE0 first).
    std::vector<std::string> distinct_nodes() const;

    bool operator==(const Placement&) const = default;
};

enum class JobOutcome {
    exited,     // the script ended by itself; exit_code says how
    signalled,  // the script was killed by a signal it did not expect
    cancelled,  // `lobosq can`
    failed,     // the job could not start, or its node went down
};

struct JobEnd {
    JobOutcome outcome = JobOutcome::exited;
    int exit_code = 0;  // for exited
    int signal = 0;     // for signalled
    std::string reason;
    JobTime at{};

    bool operator==(const JobEnd&) const = default;
};

enum class JobState { waiting, running, ended };

struct Job {
    JobSpec spec;
    JobState state = JobState::waiting;
    std::optional<Placement> placement;  // set when dispatched
    std::optional<JobTime> started;      // when dispatched
    std::optional<JobEnd> end;

    bool operator==(const Job&) const = default;
};

const char* to_string(JobState state);
const char* to_string(JobOutcome outcome);

// "exit 0", "exit 3", "signal 9 (Killed)", "cancelled by alice", "failed: n05 went down"
std::string describe(const JobEnd& end);

}  // namespace lobos
