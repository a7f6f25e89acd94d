#pragma once
// A recorded workload run again through the queue's own scheduler
// (JobQueue::schedule with a placement policy, backfill on or off, optional
// fair-share order) in simulated time: nothing sleeps, and the clock is the
// time of the next event. Events are submissions and job ends; at each
// moment every event of that moment is applied first, then one scheduling
// pass runs. A job runs exactly its recorded run time from the moment the
// pass starts it. The queue daemon also passes once a second; here a pass
// runs at an estimated start too when nothing else happens first, which is
// all a second-by-second daemon would add, since between events nothing else
// changes.
//
// What it yields is what the trace archives are used for: how long jobs
// waited and how well the CPUs were used, for one scheduler against another.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <vector>

#include "lobosq/placement/placement.hpp"
#include "lobosq/replay/swf_trace.hpp"
#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/cpu_numbering.hpp"

namespace lobos {

// One job of the workload, as the replay submits it.
struct WorkloadJob {
    long long number = 0;           // the trace's job number, for the reader
    std::chrono::seconds submit{};  // from the trace's start
    std::chrono::seconds run{};     // how long it runs once started
    int cpus = 1;                   // #NPROCS, TPIP 1
    int etime_minutes = 1;          // #ETIME; #CONFidence 100, so the planner reserves exactly this
    uid_t user = 0;
    gid_t group = 0;

    bool operator==(const WorkloadJob&) const = default;
};

// ETIME for a job that ran `run`: the run time rounded up to whole minutes
// (at least 1), times `factor`, rounded up again. Factor 1 is the perfect
// estimate ETIME's minute allows; above 1, users overestimate as they do.
int estimated_minutes(std::chrono::seconds run, double factor);

struct WorkloadFromSwf {
    std::vector<WorkloadJob> jobs;  // in trace order
    int unknown = 0;                // left out: run time or processors unknown (-1), or no processors
};

// Processors are the allocated ones (field 5), else the requested (field 8).
WorkloadFromSwf workload_from_swf(const std::vector<SwfJob>& jobs, double estimate_factor);

// `count` compute nodes of one CPU each (n001...), numbered 1..count: the
// iPSC/860 of the NASA trace is 128 such nodes.
std::vector<CpuSlot> single_cpu_nodes(int count);

struct ReplaySettings {
    std::vector<CpuSlot> cpus;  // the cluster, every node up and healthy
    ScheduleRules rules;        // backfill on or off
    PlacementPolicy place;      // place_first_fit when empty
    // Fair-share order (FairShare with this half-life, charged CPUs x run
    // time at each job's end) instead of submission order.
    std::optional<std::chrono::seconds> fair_share_half_life;
};

// Times are from the trace's start.
struct ReplayedJob {
    long long number = 0;
    int cpus = 0;
    std::chrono::seconds submit{}, start{}, end{};

    std::chrono::seconds wait() const { return start - submit; }
    // max(1, (wait + run) / max(run, 10 s)): the usual bounded slowdown, so
    // that jobs of a few seconds do not dominate the mean.
    double bounded_slowdown() const;
    bool operator==(const ReplayedJob&) const = default;
};

struct ReplaySummary {
    int replayed = 0;   // jobs that ran
    int too_big = 0;    // skipped: the cluster could never run them (more CPUs than it has)
    int unstarted = 0;  // left waiting with nothing more to happen (a scheduler fault; 0 expected)
    // CPU-seconds used / (CPUs x (last end - first submit)).
    double utilisation = 0;
    double mean_wait_seconds = 0;
    double mean_bounded_slowdown = 0;
    std::chrono::seconds makespan{};  // first submission to last end
    long long passes = 0;             // scheduling passes run
};

struct ReplayResult {
    std::vector<ReplayedJob> jobs;  // in order of submission (trace order within a second)
    ReplaySummary summary;
};

ReplayResult replay_workload(const std::vector<WorkloadJob>& jobs, const ReplaySettings& settings);

}  // namespace lobos
