#pragma once
// What placement knows of the cluster at one moment, as plain values: the
// configuration, the CPU numbering, and for every compute node whether it is
// up and reachable, which CPUs are online, its load, speed and free disk
// space, and the work it was just given. The queue daemon builds it from
// node_status, node_detail.json and its own recent dispatches; placement and
// the unit tests read it. Nothing here reads files or clocks: the moment's
// state is passed in.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/topology_graph.hpp"
#include "lobosq/placement/hop_graph.hpp"
#include "share/formats/cpu_numbering.hpp"
#include "share/formats/node_status.hpp"

namespace lobos {

struct ComputeNodeView {
    const Node* node = nullptr;
    int vertex = 0;                        // position in ClusterConfig::nodes (a HopGraph vertex)
    int first_cpu = 0;                     // cluster number of its first CPU
    bool up = false;                       // node_status says so
    bool reachable = false;                // joined to the primary master by up links through up vertices
    std::vector<bool> cpu_online;          // by CPU index within the node
    double load_average = 0;               // from its last report
    double speed = 1.0;                    // config/nodes
    std::vector<std::uint64_t> disk_free;  // bytes, in the order of pulse.conf's Disks
    int extra_load = 0;  // CPUs given to it since its last report (dshd's temporary extra load)

    const std::string& name() const { return node->name; }
    int cpu_count() const { return static_cast<int>(cpu_online.size()); }
};

// A dispatch the queue made, for the extra-load rule.
struct RecentDispatch {
    std::string node;
    int cpus = 0;
    WallTime at{};
};

struct ClusterSnapshot {
    const ClusterConfig* config = nullptr;
    std::vector<CpuSlot> cpus;             // number_cpus(*config)
    std::vector<ComputeNodeView> compute;  // compute nodes in config/nodes order (CPU number order)
    std::vector<int> node_of_cpu;          // node_of_cpu[number - 1]: index into `compute`
    std::vector<bool> held;                // held[number - 1]: a job holds it; empty: none held
    LinkHealth health;                     // what node_status shows down
    HopGraph hops;                         // up vertices and up links only
    std::optional<NodeId> primary_master;  // the lowest rank that is up
};

// The down nodes and links of node_status, matched to the configuration by
// name. A configured host or link that node_status does not list counts as
// down: nothing known of it is no reason to send work there.
LinkHealth link_health(const ClusterConfig& config, const NodeStatus& status);

// A node just given N CPUs counts N extra load until a report it sent after
// the dispatch arrives (dshd): the load average it reported predates the
// work. `last_report` is when its newest report was heard (none: never).
int extra_load(const std::string& node, const std::optional<WallTime>& last_report,
               const std::vector<RecentDispatch>& dispatches);

// Drops the dispatches that no longer count (see extra_load): those a
// report of their node heard after them has taken in, and those made before
// `give_up_before`, so that the list stays short when reports stop (the
// node is down, or node_detail.json is not being written).
void forget_counted_dispatches(std::vector<RecentDispatch>& dispatches,
                               const std::vector<NodeDetail>& details, WallTime give_up_before);

struct SnapshotInput {
    const ClusterConfig* config = nullptr;
    const TopologyGraph* graph = nullptr;  // built once from *config
    const NodeStatus* status = nullptr;
    const std::vector<NodeDetail>* details = nullptr;         // node_detail.json; may be null
    const std::vector<RecentDispatch>* dispatches = nullptr;  // may be null
    std::vector<bool> held;                                   // by CPU number - 1; empty: none held
};

// A node with no report yet (node_detail.json is written less often than
// node_status) is taken at its configuration: every CPU online, load 0, no
// disks known; node_status's "up" is the authority on whether it lives.
ClusterSnapshot build_cluster_snapshot(const SnapshotInput& input);

}  // namespace lobos
