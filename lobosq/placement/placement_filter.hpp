#pragma once
// The filter of topology-aware placement: which CPUs a job could get now
// and in what shape. Feasible CPUs are healthy (healthy_cpus) and free in the
// queue's view; the shape is #NPROCS CPUs, #TPIP of them on each node used,
// the last node taking fewer when #NPROCS is not a multiple of #TPIP;
// #NPROC0 fixes NODE0 to that CPU's node; a range low-high takes as many CPUs
// as the shape allows now, up to high, and at least low.

#include <optional>
#include <vector>

#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/healthy_cpus.hpp"
#include "lobosq/placement/placement.hpp"

namespace lobos {

// A node that can take part: its feasible CPUs, in number order.
struct NodeOffer {
    int node = 0;  // index into ClusterSnapshot::compute
    std::vector<int> cpus;
    // Fewer than TPIP feasible CPUs: it can only be the node that takes fewer.
    bool short_of_tpip = false;
};

struct PlacementShape {
    int cpus = 0;       // how many CPUs the job gets
    int tpip = 1;       // on each node but the last
    int nodes = 0;      // how many nodes: ceil(cpus / tpip)
    int last_take = 0;  // CPUs on the node that takes fewer (== tpip when none does)
    std::optional<int> nproc0;
    std::optional<int> node0;  // index into `offers` of NPROC0's node
};

struct FeasibleOffer {
    PlacementShape shape;
    std::vector<NodeOffer> offers;  // every node that can take last_take or more, in number order
};

// nullopt when the request cannot be met now (too few feasible CPUs in the
// shape, NPROC0 not feasible or its node without room for its share).
std::optional<FeasibleOffer> feasible_offer(const PlacementRequest& request, const CpuAvailability& available,
                                            const ClusterSnapshot& snapshot, const HealthyCpus& healthy);

// Whether `chosen` (indices into offer.offers) is a set the shape allows:
// shape.nodes distinct nodes, NODE0 among them, at most one short of TPIP.
bool allowed_set(const FeasibleOffer& offer, const std::vector<int>& chosen);

// The CPUs a node set gets: the lowest feasible numbers of each node, TPIP
// on each; the node that takes fewer is the one short of TPIP, else the
// highest-numbered node other than NODE0 (which keeps the numbers lowest).
// Order: NODE0 first (NPROC0's CPU at its head; without NPROC0 the
// lowest-numbered node), the node taking fewer last, the others by number.
Placement placement_of(const FeasibleOffer& offer, const ClusterSnapshot& snapshot, std::vector<int> chosen);

}  // namespace lobos
