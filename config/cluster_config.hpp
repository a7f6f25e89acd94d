#pragma once
// The cluster configuration as plain values: the hosts of config/nodes, the
// links of config/topology (plus the master-master links every cluster has),
// and the settings of config/pulse.conf. Built by the parsers, read by every
// program; nothing here touches files or sockets.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lobos {

// A host's id as written in the first column of config/nodes.
using NodeId = int;
// A link's position in ClusterConfig::links.
using LinkIndex = int;

using Seconds = std::chrono::duration<double>;

// The address LoBoS gives a hub (switch) in config/nodes.
inline constexpr std::string_view hub_address = "999.999.999.999";
// The far address node_status shows for a link to a hub: the hub's multicast group.
inline constexpr std::string_view hub_multicast_group = "231.231.231.231";

struct Position {
    double x = 0;
    double y = 0;
};

struct Node {
    NodeId id = 0;
    std::string ip;  // dotted quad, or hub_address for a hub
    std::string name;
    int type = 0;  // 0 = compute node, otherwise the master's rank
    int cpus = 0;
    int cpu_type = 0;
    int clock_mhz = 0;
    double speed = 1.0;  // relative speed, 1.0 = reference
    int ram_mb = 0;
    int swap_mb = 0;
    int links = 0;  // number of network interfaces
    Position logical;
    Position physical;
    int line = 0;  // where config/nodes defines it

    bool is_hub() const { return ip == hub_address; }
    bool is_master() const { return !is_hub() && type != 0; }
    bool is_compute() const { return !is_hub() && type == 0; }
    int master_rank() const { return is_master() ? type : 0; }
};

enum class LinkKind {
    direct,       // node to node, as in the topology file
    hub,          // node to hub: heartbeats travel as multicast on the hub's network
    master_mesh,  // implied: masters heartbeat each other whatever the topology says
};

struct Link {
    std::string name1;
    std::string name2;
    std::string ip1;  // as written in the topology file
    std::string ip2;
    LinkKind kind = LinkKind::direct;
    int line = 0;  // 0 for implied master-master links
};

struct PulseConf {
    // LoBoS keywords.
    Seconds heartbeat{1.0};
    Seconds node_timeout{5.0};
    Seconds link_timeout{5.0};
    Seconds master_timeout{5.0};
    // Keywords this project adds.
    std::uint16_t pulse_port = 7311;       // PulsePort: UDP port of heartbeats
    std::uint16_t web_port = 7380;         // WebPort: webstatus's default port
    Seconds cancel_grace{5.0};             // CancelGrace: SIGTERM, then SIGKILL this much later
    std::vector<std::string> disks{"/"};   // Disks: file systems whose free space is reported
    std::string key_file = "cluster.key";  // KeyFile: relative paths are under the config dir
    // WakePort: UDP port of "look now" wake-ups (share/io/wake_up); the
    // parser makes it PulsePort + 1000 unless pulse.conf gives it.
    std::uint16_t wake_port = 8311;
    // DiskFloor: a node with a disk of Disks at or under this many free bytes
    // gets no work (issue 5); 0: no floor.
    std::uint64_t disk_floor = 100ULL << 20;
    // The scheduler (issue 5). EtimeLimit: a job still running at ETIME x
    // this is ended; 0: never. UserJobCap: past this many running jobs a
    // user's new jobs go only to nodes where the user already runs
    // (LoadShare); 0: no cap. FairShareHalfLife: how fast used CPU time is
    // forgotten in fair share.
    double etime_limit = 0;
    int user_job_cap = 0;
    Seconds fair_share_half_life{86400.0};
    // Placement: the name of the policy lobosqd places jobs with, from the
    // table in lobosq/placement/placement_policies (which checks it; this
    // layer knows no policy), and the line of pulse.conf that named it (0:
    // the default) for that check's message.
    std::string placement = "topology";
    int placement_line = 0;
};

struct ClusterConfig {
    std::vector<Node> nodes;  // in file order: this order numbers the CPUs
    std::vector<Link> links;  // topology links in file order, then master_mesh links
    PulseConf pulse;

    const Node* find_node(std::string_view name) const;
    const Node* find_node(NodeId id) const;
    std::vector<const Node*> masters_by_rank() const;
    // The UDP port of a hub's multicast group: PulsePort plus the hub's place
    // among the hubs of config/nodes (1 for the first), so that hubs sharing
    // one machine's loopback stay apart. 0 when `hub` is not a hub.
    std::uint16_t hub_port(std::string_view hub) const;
    int compute_cpus() const;
};

}  // namespace lobos
