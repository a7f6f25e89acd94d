#pragma once
// The placement policies a cluster may choose in pulse.conf (`Placement
// NAME`), in one table: adding a policy is one row here and its name in
// config/placement_names.hpp (the parser refuses other names; a unit test
// keeps both the same). The table makes the policy lobosqd dispatches with,
// and checks a configuration made some other way, at lobosqd's start-up.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/diagnostic.hpp"
#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/placement.hpp"

namespace lobos {

// What a policy may be made from: the cluster as last seen.
struct PlacementInputs {
    std::shared_ptr<const ClusterSnapshot> snapshot;
    std::uint64_t disk_floor_bytes = 0;  // DiskFloor
};

struct PlacementPolicyKind {
    std::string_view name;     // as written after `Placement` in pulse.conf
    std::string_view meaning;  // one line, for messages and the README
    PlacementPolicy (*make)(const PlacementInputs& inputs);
};

// The one table; the first row is the default (PulseConf's placement).
const std::vector<PlacementPolicyKind>& placement_policies();

// The row of `name` (exact, lower case), or null.
const PlacementPolicyKind* find_placement_policy(std::string_view name);

// "topology, first_fit": the names of the table, for messages.
std::string placement_policy_names();

// The error, as file:line:field, when `conf` names no policy of the table.
std::optional<Diagnostic> check_placement_policy(const PulseConf& conf, std::string_view file_name);

}  // namespace lobos
