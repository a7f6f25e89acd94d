#pragma once
// The cluster's health as the primary master publishes it: the states that
// node_status lists (SPEC section 3) and the measured details that go beside
// it in node_detail.json. Written by pulse, read by lobosq and webstatus.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "share/formats/heartbeat.hpp"
#include "share/formats/wall_clock.hpp"

namespace lobos {

struct NodeState {
    std::string name;
    bool up = false;
    WallTime since{};  // when the state last changed
};

struct LinkState {
    std::string name1;
    std::string name2;
    std::string ip1;
    std::string ip2;  // 231.231.231.231 for a link to a hub
    bool up = false;
    WallTime since{};
};

struct NodeStatus {
    WallTime written{};
    std::vector<NodeState> nodes;  // in config/nodes order, hubs included
    std::vector<LinkState> links;  // in ClusterConfig::links order
};

// node_status text, exactly as LoBoS wrote it:
//   # Node status file
//   # Version 0.10 Date: Sat Sep 20 13:53:04 1997
//   node 01:53:04 pe1 1
//   link 10:50:24 pe1 pe2 165.112.185.1 165.112.185.2 1
// Times are local time of day.
std::string format_node_status(const NodeStatus& status);

// Reads node_status text back. Lines that do not parse are skipped and
// counted (a reader must not fail on a file it did not write); times come
// back as today's date at that time of day, in local time.
struct NodeStatusRead {
    NodeStatus status;
    int skipped_lines = 0;
};
NodeStatusRead parse_node_status(const std::string& text, WallTime today);

// True when the status names at least one node and every node and link in it is up.
bool everything_up(const NodeStatus& status);

// One node's measured values, for node_detail.json.
struct NodeDetail {
    std::string name;
    bool up = false;
    WallTime since{};
    std::optional<WallTime> last_heard;          // none when never heard
    std::optional<HeartbeatReport> last_report;  // the newest report that reached this master
};

// Why datagrams were dropped, counted by the master that writes the detail file.
using DropCounters = std::map<std::string, std::uint64_t>;

}  // namespace lobos
