#pragma once
// The human-readable account of a usable configuration that `pulse --check`
// prints: what is in the cluster, and every warning.

#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/diagnostic.hpp"

namespace lobos {

// `source` names where the configuration came from (its directory).
std::string config_summary(const ClusterConfig& config, const std::vector<Diagnostic>& diagnostics,
                           const std::string& source);

}  // namespace lobos
