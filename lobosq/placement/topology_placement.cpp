#include "lobosq/placement/topology_placement.hpp"

#include "lobosq/placement/healthy_cpus.hpp"
#include "lobosq/placement/node_set_search.hpp"
#include "lobosq/placement/placement_filter.hpp"

namespace lobos {

CpuAvailability snapshot_availability(const ClusterSnapshot& snapshot) {
    CpuAvailability available;
    available.cpus = &snapshot.cpus;
    available.free.assign(snapshot.cpus.size(), true);
    for (std::size_t i = 0; i < snapshot.held.size() && i < available.free.size(); ++i)
        available.free[i] = !snapshot.held[i];
    for (const ComputeNodeView& node : snapshot.compute)
        if (node.up) available.up_nodes.insert(node.name());
    return available;
}

std::optional<Placement> place_topology_aware(const PlacementRequest& request,
                                              const CpuAvailability& available,
                                              const TopologyPlacementContext& context) {
    if (!context.snapshot) return std::nullopt;
    const ClusterSnapshot& snapshot = *context.snapshot;
    const HealthyCpus healthy = healthy_cpus(snapshot, context.disk_floor_bytes);
    const std::optional<FeasibleOffer> offer = feasible_offer(request, available, snapshot, healthy);
    if (!offer) return std::nullopt;
    const std::optional<NodeSetChoice> choice = closest_set(*offer, snapshot);
    if (!choice) return std::nullopt;
    return placement_of(*offer, snapshot, choice->chosen);
}

PlacementPolicy topology_aware_policy(std::shared_ptr<const ClusterSnapshot> snapshot,
                                      std::uint64_t disk_floor_bytes) {
    return [snapshot = std::move(snapshot), disk_floor_bytes](const PlacementRequest& request,
                                                              const CpuAvailability& available) {
        return place_topology_aware(request, available,
                                    TopologyPlacementContext{snapshot.get(), disk_floor_bytes});
    };
}

}  // namespace lobos
