#include "lobosq/placement/placement.hpp"

#include <algorithm>

namespace lobos {

namespace {

// One compute node's free CPUs, in number order.
struct NodeFree {
    const std::string* node = nullptr;
    std::vector<int> cpus;
};

// Free CPUs of up nodes grouped by node, nodes in number order (number_cpus
// keeps each node's CPUs together).
std::vector<NodeFree> free_by_node(const CpuAvailability& available) {
    std::vector<NodeFree> nodes;
    for (const CpuSlot& slot : *available.cpus) {
        if (nodes.empty() || *nodes.back().node != slot.node) nodes.push_back(NodeFree{&slot.node, {}});
        const auto at = static_cast<std::size_t>(slot.number - 1);
        if (slot.number >= 1 && at < available.free.size() && available.free[at] &&
            available.up_nodes.contains(slot.node))
            nodes.back().cpus.push_back(slot.number);
    }
    return nodes;
}

}  // namespace

PlacementRequest placement_request(const JobDirectives& directives) {
    return PlacementRequest{directives.nprocs_low, directives.nprocs_high, directives.tpip,
                            directives.nproc0};
}

std::optional<Placement> place_first_fit(const PlacementRequest& request, const CpuAvailability& available) {
    if (!available.cpus || request.nprocs_low < 1 || request.nprocs_high < request.nprocs_low ||
        request.tpip < 1)
        return std::nullopt;
    std::vector<NodeFree> nodes = free_by_node(available);

    if (request.nproc0) {
        // NODE0's node goes first, with the NPROC0 CPU at its head.
        auto holds = [&](const NodeFree& node) {
            return std::find(node.cpus.begin(), node.cpus.end(), *request.nproc0) != node.cpus.end();
        };
        auto node0 = std::find_if(nodes.begin(), nodes.end(), holds);
        if (node0 == nodes.end()) return std::nullopt;  // no such CPU, busy, or its node is down
        std::rotate(nodes.begin(), node0, node0 + 1);
        std::vector<int>& cpus = nodes.front().cpus;
        auto first = std::find(cpus.begin(), cpus.end(), *request.nproc0);
        std::rotate(cpus.begin(), first, first + 1);
    }

    Placement placement;
    for (const NodeFree& node : nodes) {
        const int remaining = request.nprocs_high - static_cast<int>(placement.cpus.size());
        if (remaining == 0) break;
        // TPIP CPUs on each node used, fewer only for the last one.
        const int take = std::min(request.tpip, remaining);
        if (static_cast<int>(node.cpus.size()) < take) {
            // NPROC0's node must be NODE0: without room for TPIP CPUs there,
            // the job does not fit now.
            if (request.nproc0 && placement.cpus.empty()) return std::nullopt;
            continue;
        }
        for (int i = 0; i < take; ++i) {
            placement.cpus.push_back(node.cpus[static_cast<std::size_t>(i)]);
            placement.nodes.push_back(*node.node);
        }
    }
    if (static_cast<int>(placement.cpus.size()) < request.nprocs_low) return std::nullopt;
    return placement;
}

}  // namespace lobos
