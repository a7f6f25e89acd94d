#pragma once
// The queue itself, as plain values: which jobs wait and in what order,
// which CPUs running jobs hold, which waiting jobs start now and where, and
// when each waiting job is expected to start. No files, sockets or clocks:
// the queue daemon passes the moment and the cluster's state in and carries
// out what comes back.
//
// One scheduling pass (schedule) walks the waiting jobs in queue order:
// #ADMIN jobs first (they start at once, on CPUs other jobs may hold), then
// the others in the order the caller gives (fair-share) or by submission.
// Each job either starts now or gets a reservation: the earliest moment its
// CPUs are free of the running jobs and of every reservation made before it
// (conservative backfill). A job starts ahead of its turn only on CPUs whose
// first reservation begins after its own reserved span ends, so it delays no
// earlier job's estimated start. Running jobs are expected to end at start +
// reserved span (reserved_span: ETIME widened by lack of CONFidence).

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lobosq/job/job.hpp"
#include "lobosq/placement/placement.hpp"
#include "share/formats/cpu_numbering.hpp"
#include "share/formats/wait_reason.hpp"

namespace lobos {

inline constexpr int normal_priority = 1;
inline constexpr int admin_priority = 2;
int priority_of(const JobSpec& spec);

// Why a job could never start on this cluster even with every node up and
// idle ("it needs 16 CPUs on 16 nodes (TPIP 1); the cluster has 16 CPUs on 8
// compute nodes"), or nullopt when it could. Such a job is refused at submission.
std::optional<std::string> never_placeable(const JobDirectives& directives, const std::vector<CpuSlot>& cpus,
                                           const PlacementPolicy& place);

// How long the planner keeps a job's CPUs: ETIME, widened as CONFidence
// falls, by (100 - CONF) percent: CONF 100 reserves ETIME, the default 90
// reserves 1.1 x ETIME, CONF 0 twice ETIME.
std::chrono::seconds reserved_span(const JobDirectives& directives);

struct ScheduleRules {
    // Off: plain first-come-first-served, no job starts before one ahead of
    // it (the replay tool compares the two).
    bool backfill = true;
    // EtimeLimit in pulse.conf: a job still running at ETIME x this is
    // ended; 0: never.
    double etime_limit = 0;
    // UserJobCap in pulse.conf (LoadShare's rule): a user with this many
    // running jobs gets new jobs only on nodes where they already run; 0: no cap.
    int user_job_cap = 0;
};

// When a running job is expected to end: start + reserved span; a job past
// that is expected to end at its limit (EtimeLimit), or without a limit a
// minute from now (each pass asks again, so the plan follows it).
JobTime expected_end(const Job& job, JobTime now, const ScheduleRules& rules);
// When a running job is to be ended for running past ETIME x EtimeLimit; nullopt without a limit.
std::optional<JobTime> limit_time(const Job& job, const ScheduleRules& rules);

// What the daemon knows of the cluster at this moment.
struct ClusterView {
    std::set<std::string> up_nodes;  // compute nodes node_status shows up
    // healthy[number - 1]: the CPU may be given (reachable, online, disk
    // above the floor; holds aside). Empty: every CPU of an up node.
    std::vector<bool> healthy;
    NodeFaults faults;  // "pe5 down; pe3, pe4 unreachable"; empty when all is well
};

// Puts the waiting normal jobs in the order they are to be considered
// (fair-share); they come in by submission.
using WaitingOrder = std::function<void(std::vector<const Job*>& waiting)>;

struct WaitingEstimate {
    std::string id;
    int rank = 0;                   // place in queue order, 1 first (job_status's pri)
    std::optional<JobTime> start;   // none when it cannot start with the nodes up now
    std::optional<Placement> cpus;  // the CPUs it starts on, or that the plan reserves
    WaitReason why;                 // why it is not running yet; none when it starts now
};

struct SchedulePass {
    std::vector<std::string> started;      // ids that start now, in queue order
    std::vector<WaitingEstimate> waiting;  // every job that was waiting, in queue order
};

class JobQueue {
public:
    explicit JobQueue(std::vector<CpuSlot> cpus, ScheduleRules rules = {});

    // Adds an accepted job, waiting or (after a restart of the daemon) running
    // with its placement and start. False when a job of that id is already
    // queued, or the job is ended, or running without placement or start.
    bool add(Job job);
    const Job* find(std::string_view id) const;
    bool empty() const { return jobs_.empty(); }
    std::size_t size() const { return jobs_.size(); }
    const ScheduleRules& rules() const { return rules_; }

    // One scheduling pass at `now`: the jobs it starts are running from `now`.
    SchedulePass schedule(JobTime now, const ClusterView& view, const PlacementPolicy& place,
                          const WaitingOrder& order = {});
    // The same pass without starting anything: what schedule would do now.
    SchedulePass plan(JobTime now, const ClusterView& view, const PlacementPolicy& place,
                      const WaitingOrder& order = {}) const;

    // schedule, with only the up nodes known; returns the ids started.
    std::vector<std::string> dispatch(JobTime now, const std::set<std::string>& up_nodes,
                                      const PlacementPolicy& place);
    // plan's estimates, with only the up nodes known.
    std::vector<WaitingEstimate> plan(JobTime now, const std::set<std::string>& up_nodes,
                                      const PlacementPolicy& place) const;

    // Removes a job that ended (or was cancelled, or failed), freeing its
    // CPUs. Returns the job with `end` set; nullopt if not queued.
    std::optional<Job> finish(std::string_view id, JobEnd end);

    // Ids of running jobs that hold a CPU of `node`.
    std::vector<std::string> running_on(const std::string& node) const;

    // Every job, running ones first (by start), then waiting ones by submission.
    std::vector<const Job*> in_order() const;

    // Running jobs past ETIME x EtimeLimit at `now`.
    std::vector<std::string> over_limit(JobTime now) const;

    int cluster_cpus() const { return static_cast<int>(cpus_.size()); }
    // CPUs of up nodes that no job holds.
    int free_cpus(const std::set<std::string>& up_nodes) const;
    const std::vector<CpuSlot>& cpus() const { return cpus_; }

private:
    std::vector<const Job*> waiting_in_order() const;
    CpuAvailability availability(const std::set<std::string>& up_nodes) const;
    void hold(const Placement& placement, int delta);

    ScheduleRules rules_;
    std::vector<CpuSlot> cpus_;
    std::vector<int> holders_;     // jobs holding each CPU (an #ADMIN job may share)
    std::vector<int> node_index_;  // each CPU's node, counted in number order
    int node_count_ = 0;
    std::map<std::string, Job, std::less<>> jobs_;
    // The CPUs and start each waiting job was promised by the last
    // schedule(). A pass keeps a promise that still holds at the same
    // moment rather than choose again, and a job whose moment has come
    // starts on the CPUs it was promised: so when jobs run to their reserved
    // span the plan of one pass is the plan of the next, and no estimate slips.
    struct Promise {
        JobTime start;
        Placement cpus;
    };
    std::map<std::string, Promise, std::less<>> promised_;
};

}  // namespace lobos
