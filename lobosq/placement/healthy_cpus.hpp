#pragma once
// Which CPUs may be given to a job now (issue 5, point 1): the node is up in
// node_status, reachable from the primary master through up links, the CPU
// is online, every disk of the node has more free bytes than the floor (a
// floor of 0 is none), and no job holds the CPU. For each node that cannot give its CPUs, the reason,
// so that "why a job waits" can say "2 nodes down" rather than "no room".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lobosq/placement/cluster_snapshot.hpp"
#include "share/formats/wait_reason.hpp"

namespace lobos {

// The first reason that applies, in this order: a down node is also
// unreachable, and its disks and CPUs are not known.
enum class NodeFault {
    none,
    down,         // node_status shows it down
    unreachable,  // up, but no path of up links joins it to the primary master
    disk_full,    // a disk at or under the free-space floor
    cpu_offline,  // some of its CPUs are offline (the others may be given)
};

std::string_view describe(NodeFault fault);  // "down", "unreachable", "disk full", "CPU offline"

struct NodeHealth {
    NodeFault fault = NodeFault::none;
    int offline_cpus = 0;
    int held_cpus = 0;
};

struct HealthyCpus {
    std::vector<bool> usable;       // usable[number - 1]
    std::vector<NodeHealth> nodes;  // parallel to ClusterSnapshot::compute

    bool operator[](int number) const {
        return number >= 1 && static_cast<std::size_t>(number) <= usable.size() &&
               usable[static_cast<std::size_t>(number - 1)];
    }
    int count() const;
};

HealthyCpus healthy_cpus(const ClusterSnapshot& snapshot, std::uint64_t disk_floor_bytes);

// The nodes that cannot give CPUs and why, for the reasons a waiting job
// gives ("pe5 down; pe3, pe4 unreachable; pe2 disk full"): down, then
// unreachable, then disk full; up to `names` nodes named for each fault, then
// a count of the others. Empty when all are healthy (offline CPUs alone are
// not named: their nodes still give the others).
NodeFaults node_faults(const ClusterSnapshot& snapshot, const HealthyCpus& healthy, int names = 4);

}  // namespace lobos
