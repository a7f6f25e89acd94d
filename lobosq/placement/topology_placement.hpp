#pragma once
// Topology-aware placement, the policy that replaces first-fit behind
// PlacementPolicy: the filter (placement_filter: healthy, free CPUs in the
// job's shape), then the node set whose nodes are closest in the link graph
// (closeness_score: the sum of pairwise hops through up links), then the
// least speed-weighted load (load_score), then the lowest CPU numbers
// (node_set_search). On the SPEC's sample cluster, idle, a 2-CPU job with
// TPIP 1 gets 1,3 (pe1 and pe2, one hop apart) and the next one 2,4.

#include <cstdint>
#include <memory>
#include <optional>

#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/placement.hpp"

namespace lobos {

struct TopologyPlacementContext {
    const ClusterSnapshot* snapshot = nullptr;
    std::uint64_t disk_floor_bytes = 0;  // a disk with this much free or less is full; 0: no floor
};

// The CPUs of `snapshot` as the queue offers them: free unless held, on the
// nodes node_status shows up. For callers without a queue of their own.
CpuAvailability snapshot_availability(const ClusterSnapshot& snapshot);

// A CPU is given only if both views agree: healthy in the snapshot (and not
// held there) and free on an up node in `available` (the queue's view, which
// may know of jobs the snapshot was built before).
std::optional<Placement> place_topology_aware(const PlacementRequest& request,
                                              const CpuAvailability& available,
                                              const TopologyPlacementContext& context);

// The policy for JobQueue; it keeps the snapshot alive. The queue daemon
// makes a new one whenever it builds a new snapshot.
PlacementPolicy topology_aware_policy(std::shared_ptr<const ClusterSnapshot> snapshot,
                                      std::uint64_t disk_floor_bytes);

}  // namespace lobos
