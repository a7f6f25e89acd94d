#include "config/cluster_config.hpp"

#include <algorithm>

namespace lobos {

const Node* ClusterConfig::find_node(std::string_view name) const {
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const Node& n) { return n.name == name; });
    return it == nodes.end() ? nullptr : &*it;
}

const Node* ClusterConfig::find_node(NodeId id) const {
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const Node& n) { return n.id == id; });
    return it == nodes.end() ? nullptr : &*it;
}

std::vector<const Node*> ClusterConfig::masters_by_rank() const {
    std::vector<const Node*> masters;
    for (const Node& n : nodes)
        if (n.is_master()) masters.push_back(&n);
    std::stable_sort(masters.begin(), masters.end(),
                     [](const Node* a, const Node* b) { return a->master_rank() < b->master_rank(); });
    return masters;
}

std::uint16_t ClusterConfig::hub_port(std::string_view hub) const {
    int place = 0;
    for (const Node& n : nodes) {
        if (!n.is_hub()) continue;
        ++place;
        if (n.name == hub) return static_cast<std::uint16_t>(pulse.pulse_port + place);
    }
    return 0;
}

int ClusterConfig::compute_cpus() const {
    int total = 0;
    for (const Node& n : nodes)
        if (n.is_compute()) total += n.cpus;
    return total;
}

}  // namespace lobos
