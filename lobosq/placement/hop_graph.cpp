#include "lobosq/placement/hop_graph.hpp"

#include <string>
#include <unordered_map>

namespace lobos {

HopGraph::HopGraph(const ClusterConfig& config, const LinkHealth& health) {
    const std::size_t n = config.nodes.size();
    std::unordered_map<std::string, int> vertex_of_name;
    up_.assign(n, 0);
    for (std::size_t v = 0; v < n; ++v) {
        const Node& node = config.nodes[v];
        // First definition wins, as in TopologyGraph and ClusterConfig::find_node.
        vertex_of_name.try_emplace(node.name, static_cast<int>(v));
        up_[v] = health.down_nodes.contains(node.id) ? 0 : 1;
    }
    std::vector<std::pair<int, int>> edges;
    for (std::size_t i = 0; i < config.links.size(); ++i) {
        if (health.down_links.contains(static_cast<LinkIndex>(i))) continue;
        auto end1 = vertex_of_name.find(config.links[i].name1);
        auto end2 = vertex_of_name.find(config.links[i].name2);
        if (end1 == vertex_of_name.end() || end2 == vertex_of_name.end()) continue;
        const int a = end1->second;
        const int b = end2->second;
        if (!up_[static_cast<std::size_t>(a)] || !up_[static_cast<std::size_t>(b)]) continue;
        edges.emplace_back(a, b);
    }
    first_.assign(n + 1, 0);
    for (auto [a, b] : edges) {
        ++first_[static_cast<std::size_t>(a) + 1];
        ++first_[static_cast<std::size_t>(b) + 1];
    }
    for (std::size_t v = 0; v < n; ++v) first_[v + 1] += first_[v];
    next_.assign(edges.size() * 2, 0);
    std::vector<int> fill(first_.begin(), first_.end() - 1);
    for (auto [a, b] : edges) {
        next_[static_cast<std::size_t>(fill[static_cast<std::size_t>(a)]++)] = b;
        next_[static_cast<std::size_t>(fill[static_cast<std::size_t>(b)]++)] = a;
    }
    hops_.assign(n, unreached_hops);
    queue_.reserve(n);
}

std::vector<int> HopGraph::hops_from(int from) const {
    std::vector<int> hops(static_cast<std::size_t>(vertices()), unreached_hops);
    search(from, [&](int v, int h) {
        hops[static_cast<std::size_t>(v)] = h;
        return false;
    });
    return hops;
}

}  // namespace lobos
