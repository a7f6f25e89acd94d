#include "lobosq/placement/placement_policies.hpp"

#include <algorithm>

#include "lobosq/placement/topology_placement.hpp"

namespace lobos {

const std::vector<PlacementPolicyKind>& placement_policies() {
    static const std::vector<PlacementPolicyKind> table = {
        {"topology",
         "healthy free CPUs on the nodes closest together in the link graph, then the least loaded",
         [](const PlacementInputs& in) { return topology_aware_policy(in.snapshot, in.disk_floor_bytes); }},
        {"first_fit", "free CPUs of up nodes in number order, TPIP on each node used",
         [](const PlacementInputs&) { return PlacementPolicy(place_first_fit); }},
    };
    return table;
}

const PlacementPolicyKind* find_placement_policy(std::string_view name) {
    const auto& table = placement_policies();
    auto it = std::find_if(table.begin(), table.end(),
                           [&](const PlacementPolicyKind& kind) { return kind.name == name; });
    return it == table.end() ? nullptr : &*it;
}

std::string placement_policy_names() {
    std::string names;
    for (const PlacementPolicyKind& kind : placement_policies())
        names += (names.empty() ? "" : ", ") + std::string(kind.name);
    return names;
}

std::optional<Diagnostic> check_placement_policy(const PulseConf& conf, std::string_view file_name) {
    if (find_placement_policy(conf.placement)) return std::nullopt;
    return Diagnostic{Severity::error,     std::string(file_name),
                      conf.placement_line, "Placement",
                      conf.placement,      "no such placement policy; known: " + placement_policy_names()};
}

}  // namespace lobos
