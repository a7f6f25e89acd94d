#pragma once
// The cluster's CPUs as job_status numbers them (SPEC section 3): compute
// nodes in the order of config/nodes, each node's CPUs in turn, from 1. Jobs
// run on compute nodes only; masters and hubs have no numbers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cluster_config.hpp"

namespace lobos {

struct CpuSlot {
    int number = 0;    // 1-based, through the cluster
    std::string node;  // the compute node's name
    int index = 0;     // 0-based, within the node

    bool operator==(const CpuSlot&) const = default;
};

// Every compute CPU, in number order: result[i].number == i + 1.
std::vector<CpuSlot> number_cpus(const ClusterConfig& config);

// "1,3" and back: the cpus column of job_status and LOBOS_CPUS. Not the
// kernel's "0-3,5" (parse_cpu_list of share/node_metrics.hpp), hence the
// parser's longer name.
std::string format_cpu_list(const std::vector<int>& cpus);
// nullopt unless every item is a positive integer; "" is no CPUs.
std::optional<std::vector<int>> parse_cluster_cpu_list(std::string_view text);

}  // namespace lobos
