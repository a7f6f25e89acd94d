#pragma once
// node_detail.json: the measured state of every node, written by the primary
// master beside node_status for webstatus and the dispatcher. node_status
// says what is up; this file says how busy and how full each node is.
//
// Shape (times are unix seconds with millisecond precision, sizes bytes):
//   {"written": 874763584.123, "writer": "master1", "epoch": 3,
//    "listening_since": 874763500.0,
//    "nodes": [
//      {"name": "pe1", "up": true, "since": 874763000.5, "last_heard": 874763583.9,
//       "id": 1, "sequence": 4411, "sent": 874763583.8, "channel": 4294967295, "primary_epoch": 0,
//       "cpus": [{"utilisation": 0.25, "online": true}],
//       "load_average": 1.5, "memory_free_bytes": 1048576, "memory_total_bytes": 4194304,
//       "disks": [{"free_bytes": 100, "total_bytes": 200}],
//       "links": [{"link": 0, "heard": [{"peer": 2, "age_ms": 120}]}]}],
//    "links": [{"name1": "pe1", "name2": "pe2", "ip1": "165.112.185.1", "ip2": "165.112.185.2",
//               "up": true, "since": 874763000.5}],
//    "dropped": {"bad_tag": 3}}
// - "last_heard" is null for a node never heard.
// - "id" through "links" of a node come from its newest heartbeat report
//   (HeartbeatReport: "id" is the sender, "sent" its sent_unix_ms, "channel"
//   the link it came over or 4294967295 for one sent straight to a master);
//   a node with no report has none of these keys.
// - "listening_since" is when the writer started listening to the cluster
//   (its start, or the end of a time it heard no other host or was stalled):
//   a node it shows down counts only once it has listened for NodeTimeOut.
//   Absent (files of older versions, or not given) or null: unknown.
// - "epoch" is the writer's primary lease epoch: a reader that sees a lower
//   epoch than before is reading a stale primary's file.
// - A float that is not finite is written as 0. Readers ignore keys they do
//   not know.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "share/formats/node_status.hpp"

namespace lobos {

struct NodeDetailFile {
    WallTime written{};
    std::string writer;  // the master that wrote the file
    std::uint64_t epoch = 0;
    std::optional<WallTime> listening_since;  // nullopt: unknown (absent or null)
    std::vector<NodeDetail> nodes;
    std::vector<LinkState> links;
    DropCounters dropped;
};

std::string format_node_detail(const std::vector<NodeDetail>& nodes, const std::vector<LinkState>& links,
                               const DropCounters& dropped, WallTime written, const std::string& writer,
                               std::uint64_t epoch, std::optional<WallTime> listening_since = std::nullopt);

// A node as a master's snapshot holds it for the file: the report is shared
// with the master's health state (which replaces it, never changes it), and
// the name is the configuration's. At 10,000 nodes taking such a snapshot
// costs well under a millisecond; copying the reports costs several.
struct SharedNodeDetail {
    std::string_view name;
    bool up = false;
    WallTime since{};
    std::optional<WallTime> last_heard;
    std::shared_ptr<const HeartbeatReport> last_report;
};

// The same text from a snapshot.
std::string format_node_detail_snapshot(const std::vector<SharedNodeDetail>& nodes,
                                        const std::vector<LinkState>& links, const DropCounters& dropped,
                                        WallTime written, const std::string& writer, std::uint64_t epoch,
                                        std::optional<WallTime> listening_since = std::nullopt);

// The file's data, or (detail empty) what is wrong with it, naming the
// element: "nodes[3].cpus: expected an array". Never throws.
struct NodeDetailRead {
    std::optional<NodeDetailFile> detail;
    std::string error;  // set when detail is empty
};
NodeDetailRead parse_node_detail(std::string_view json);

}  // namespace lobos
