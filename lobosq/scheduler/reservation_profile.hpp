#pragma once
// The planner's picture of the future: for every CPU, when it becomes free
// of the jobs running and of the reservations made so far in this pass, and
// when its first reservation begins. Pure and cheap, because one scheduling
// pass asks it once for each of up to tens of thousands of waiting jobs.
//
// A reservation is appended after a CPU's last one (never slotted into a
// hole before it), so each CPU needs only two times: `free_at`, the end of
// its last reservation, and `first_reserved`, the start of its first. Holes
// are still used, but only by jobs that start now and end before the hole
// does (backfill, decided by the queue with first_reserved).

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "lobosq/job/job.hpp"
#include "lobosq/placement/placement.hpp"

namespace lobos {

inline constexpr JobTime never = JobTime::max();

class ReservationProfile {
public:
    // `usable[i]`: CPU number i + 1 may be planned at all (its node up and
    // healthy); `busy_until[i]`: when the jobs holding it are expected to end
    // (at most `now` when free). Nodes are runs of equal CpuSlot::node.
    ReservationProfile(const std::vector<CpuSlot>& cpus, std::vector<bool> usable,
                       std::vector<JobTime> busy_until);

    struct Slot {
        JobTime start;
        Placement cpus;
    };
    // The earliest moment at or after `earliest` at which `request` (its low
    // CPU count) fits on CPUs free from then on, and the CPUs: on each node
    // used, those free soonest, nodes free soonest first (the NPROC0 node
    // first when given). Nullopt when the usable CPUs can never hold it.
    // The moment is exact for TPIP 1; with TPIP 2 and an odd count the last
    // node is asked for 2 CPUs, so the estimate errs late, never early.
    std::optional<Slot> earliest_slot(const PlacementRequest& request, JobTime earliest) const;

    // Marks `cpus` taken from `start` until `end`.
    void reserve(const std::vector<int>& cpus, JobTime start, JobTime end);
    // For a job starting now on `cpus` until `end`: each CPU's last
    // reservation ends at the later of the two.
    void occupy(const std::vector<int>& cpus, JobTime end);

    JobTime free_at(int number) const { return free_at_[static_cast<std::size_t>(number - 1)]; }
    JobTime first_reserved(int number) const { return first_reserved_[static_cast<std::size_t>(number - 1)]; }
    bool usable(int number) const { return usable_[static_cast<std::size_t>(number - 1)]; }

private:
    void resort(int node);
    void resort(const std::vector<int>& cpus);

    const std::vector<CpuSlot>* cpus_;
    std::vector<bool> usable_;
    std::vector<JobTime> free_at_;
    std::vector<JobTime> first_reserved_;
    std::vector<int> node_of_;                 // node index of each CPU
    std::vector<std::vector<int>> node_cpus_;  // usable CPU numbers of each node, free soonest first
    // For each count q, the nodes that have q usable CPUs, by when the q-th
    // of them is free (then by node): a job finds its nodes at the front
    // instead of looking at every node, so a pass over 10,000 jobs on 1,024
    // nodes stays cheap. ready_[n][q - 1] is node n's entry in by_need_[q - 1].
    using NeedOrder = std::set<std::pair<JobTime, int>>;
    std::vector<NeedOrder> by_need_;
    std::vector<std::vector<NeedOrder::iterator>> ready_;
};

}  // namespace lobos
