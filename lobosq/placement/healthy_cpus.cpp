#include "lobosq/placement/healthy_cpus.hpp"

#include <algorithm>

namespace lobos {

std::string_view describe(NodeFault fault) {
    switch (fault) {
        case NodeFault::none:
            return "healthy";
        case NodeFault::down:
            return "down";
        case NodeFault::unreachable:
            return "unreachable";
        case NodeFault::disk_full:
            return "disk full";
        case NodeFault::cpu_offline:
            return "CPU offline";
    }
    return "unknown";
}

int HealthyCpus::count() const { return static_cast<int>(std::count(usable.begin(), usable.end(), true)); }

HealthyCpus healthy_cpus(const ClusterSnapshot& snapshot, std::uint64_t disk_floor_bytes) {
    HealthyCpus healthy;
    healthy.usable.assign(snapshot.cpus.size(), false);
    healthy.nodes.resize(snapshot.compute.size());
    for (std::size_t n = 0; n < snapshot.compute.size(); ++n) {
        const ComputeNodeView& node = snapshot.compute[n];
        NodeHealth& health = healthy.nodes[n];
        // A floor of 0 is none (pulse.conf's DiskFloor 0), not "a disk with 0 bytes free is full".
        const bool disk_full =
            disk_floor_bytes > 0 && std::any_of(node.disk_free.begin(), node.disk_free.end(),
                                                [&](std::uint64_t free) { return free <= disk_floor_bytes; });
        if (!node.up) {
            health.fault = NodeFault::down;
        } else if (!node.reachable) {
            health.fault = NodeFault::unreachable;
        } else if (disk_full) {
            health.fault = NodeFault::disk_full;
        }
        for (int i = 0; i < node.cpu_count(); ++i) {
            const auto at = static_cast<std::size_t>(node.first_cpu - 1 + i);
            if (at >= healthy.usable.size()) break;
            const bool held = at < snapshot.held.size() && snapshot.held[at];
            if (held) ++health.held_cpus;
            if (!node.cpu_online[static_cast<std::size_t>(i)]) {
                ++health.offline_cpus;
                continue;
            }
            healthy.usable[at] = health.fault == NodeFault::none && !held;
        }
        if (health.fault == NodeFault::none && health.offline_cpus > 0) health.fault = NodeFault::cpu_offline;
    }
    return healthy;
}

NodeFaults node_faults(const ClusterSnapshot& snapshot, const HealthyCpus& healthy, int names) {
    NodeFaults faults;
    for (NodeFault fault : {NodeFault::down, NodeFault::unreachable, NodeFault::disk_full}) {
        std::vector<const std::string*> nodes;
        for (std::size_t n = 0; n < healthy.nodes.size() && n < snapshot.compute.size(); ++n)
            if (healthy.nodes[n].fault == fault) nodes.push_back(&snapshot.compute[n].name());
        if (nodes.empty()) continue;
        const std::size_t shown = std::min(nodes.size(), static_cast<std::size_t>(std::max(names, 1)));
        NodeFaultGroup group{std::string(describe(fault)), {}, static_cast<int>(nodes.size() - shown)};
        for (std::size_t i = 0; i < shown; ++i) group.nodes.push_back(*nodes[i]);
        faults.push_back(std::move(group));
    }
    return faults;
}

}  // namespace lobos
