#pragma once
// The cluster's link graph: nodes, masters and hubs as vertices, links as
// edges. Questions are asked against a LinkHealth (what is down now) and
// answered in node ids; the Boost.Graph types stay inside
// topology_graph.cpp (see topology_graph_types.hpp).

#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "config/cluster_config.hpp"

namespace lobos {

// What is down. Everything not listed is up.
struct LinkHealth {
    std::set<NodeId> down_nodes;     // nodes, masters or hubs
    std::set<LinkIndex> down_links;  // indices into ClusterConfig::links
};

class TopologyGraph {
public:
    explicit TopologyGraph(const ClusterConfig& config);
    ~TopologyGraph();
    TopologyGraph(TopologyGraph&&) noexcept;
    TopologyGraph& operator=(TopologyGraph&&) noexcept;

    // Compute nodes (type 0, not hubs) joined to at least one up master by a
    // path of up links through up vertices; sorted by node id.
    std::vector<NodeId> reachable_compute_nodes(const LinkHealth& health) const;

    // Every vertex reachable from `from` (itself included) through up links
    // and up vertices; empty when `from` is down or unknown. Sorted by id.
    std::vector<NodeId> reachable_from(NodeId from, const LinkHealth& health) const;

    // Fewest links between a and b through up links and up vertices (hubs
    // count as vertices: pe1-hub1-pe3 is 2 hops); nullopt when there is no
    // such path or either end is down or unknown. hops(a, a) == 0.
    std::optional<int> hops(NodeId a, NodeId b, const LinkHealth& health) const;

    // Hop distances from `from` to every vertex, in ClusterConfig::nodes
    // order; nullopt where unreachable. One breadth-first search, for callers
    // that need many distances from one place (the scheduler).
    std::vector<std::optional<int>> hops_from(NodeId from, const LinkHealth& health) const;

    // The connected groups of up vertices through up links. Each group is
    // sorted by node id; groups are sorted by their smallest id.
    std::vector<std::vector<NodeId>> connected_groups(const LinkHealth& health) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lobos
