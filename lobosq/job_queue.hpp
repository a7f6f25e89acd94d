#pragma once
// The queue itself, as plain values: which jobs wait and in what order,
// which CPUs running jobs hold, which waiting job starts next and where, and
// when each waiting job is expected to start. No files, sockets or clocks:
// the queue daemon passes the moment and the up nodes in and carries out
// what comes back.
//
// Order: #ADMIN jobs first (they start at once, on CPUs other jobs may hold),
// then by submission. A job whose #RTIME has not come is passed over; any
// other job that does not fit holds back the jobs behind it, so a big job is
// never starved by a stream of small ones (the scheduler of the next release
// adds backfill).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lobosq/cpu_numbering.hpp"
#include "lobosq/job.hpp"
#include "lobosq/placement.hpp"

namespace lobos {

inline constexpr int normal_priority = 1;
inline constexpr int admin_priority = 2;
int priority_of(const JobSpec& spec);

// Why a job could never start on this cluster even with every node up and
// idle ("it needs 16 CPUs on 16 nodes (TPIP 1); the cluster has 16 CPUs on 8
// compute nodes"), or nullopt when it could. Such a job is refused at submission.
std::optional<std::string> never_placeable(const JobDirectives& directives, const std::vector<CpuSlot>& cpus,
                                           const PlacementPolicy& place);

struct WaitingEstimate {
    std::string id;
    std::optional<JobTime> start;  // none when it cannot start with the nodes up now
    std::string why;               // why it is not running yet
};

class JobQueue {
public:
    explicit JobQueue(std::vector<CpuSlot> cpus);

    // Adds an accepted job, waiting or (after a restart of the daemon) running
    // with its placement and start. False when a job of that id is already
    // queued, or the job is ended, or running without placement or start.
    bool add(Job job);
    const Job* find(std::string_view id) const;
    bool empty() const { return jobs_.empty(); }
    std::size_t size() const { return jobs_.size(); }

    // Starts the waiting jobs that can start at `now` on free CPUs of
    // `up_nodes`, in queue order; they are running from `now`. Returns their ids.
    std::vector<std::string> dispatch(JobTime now, const std::set<std::string>& up_nodes,
                                      const PlacementPolicy& place);

    // Removes a job that ended (or was cancelled, or failed), freeing its
    // CPUs. Returns the job with `end` set; nullopt if not queued.
    std::optional<Job> finish(std::string_view id, JobEnd end);

    // Ids of running jobs that hold a CPU of `node`.
    std::vector<std::string> running_on(const std::string& node) const;

    // Every job, running ones first (by start), then waiting ones in queue order.
    std::vector<const Job*> in_order() const;

    // For each waiting job, in queue order: when it is expected to start,
    // assuming running jobs end at start + ETIME (or now, when overdue) and
    // the nodes up now stay up, and why it waits.
    std::vector<WaitingEstimate> plan(JobTime now, const std::set<std::string>& up_nodes,
                                      const PlacementPolicy& place) const;

    int cluster_cpus() const { return static_cast<int>(cpus_.size()); }
    // CPUs of up nodes that no job holds.
    int free_cpus(const std::set<std::string>& up_nodes) const;
    const std::vector<CpuSlot>& cpus() const { return cpus_; }

private:
    std::vector<const Job*> waiting_in_order() const;
    CpuAvailability availability(const std::set<std::string>& up_nodes) const;
    void hold(const Placement& placement, int delta);

    std::vector<CpuSlot> cpus_;
    std::vector<int> holders_;  // jobs holding each CPU (an #ADMIN job may share)
    std::map<std::string, Job, std::less<>> jobs_;
};

}  // namespace lobos
