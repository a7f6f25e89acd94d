#pragma once
// Whether an authentic heartbeat is taken by this host: it must come from a
// host of the configuration, from one of that host's addresses, over one of
// that host's channels that reaches this host, and be newer than what was
// already taken from that sender on that channel. Pure: the daemon passes
// each decoded report with the datagram's source address.
//
// Sequences are tracked per (sender, channel), because one heartbeat round
// sends several datagrams over different paths, which may arrive in any
// order. Only the last accepted sequence is kept: the same one again is
// replayed, a lower one is stale_sequence. The state is one slot per channel
// a configured host can send on, made at construction, so memory is bounded
// by the configuration whatever arrives.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/cluster_config.hpp"
#include "pulse/heartbeat/heartbeat_codec.hpp"
#include "share/formats/heartbeat.hpp"

namespace lobos {

class DatagramAdmission {
public:
    // `receiver` is this host's id in `config`.
    DatagramAdmission(const ClusterConfig& config, NodeId receiver);

    // nullopt: taken, and its sequence recorded. Otherwise, in the order checked:
    // - unknown_sender: report.sender is not a host of the configuration, or is a hub;
    // - wrong_address: `source_ipv4` is neither the sender's address in config/nodes
    //   nor the sender's end of one of its links;
    // - malformed: report.channel is neither report_channel nor a link with the sender at one end;
    // - wrong_address: the channel does not reach this host: report_channel reaches the
    //   masters, a direct or master-master link its other end, a hub link every host on that hub;
    // - replayed / stale_sequence: see above.
    std::optional<DropReason> admit(const HeartbeatReport& report, std::string_view source_ipv4);
    // The same with the source address as a number in host byte order
    // (127.0.0.1 is 0x7F000001), as a socket gives it: no text is made for
    // each of the thousands of datagrams a master takes a second.
    std::optional<DropReason> admit(const HeartbeatReport& report, std::uint32_t source_ipv4);

private:
    struct Channel {
        std::uint32_t channel = report_channel;
        bool reaches_receiver = false;
        std::optional<std::uint64_t> last_sequence;
    };
    struct Sender {
        std::vector<std::uint32_t> addresses;  // config/nodes address, then its ends of its links
        std::vector<Channel> channels;         // report_channel, then its links in config order
    };

    Sender* find_sender(NodeId id);

    std::vector<Sender> senders_;  // hosts that are not hubs
    // Ids are small numbers in practice (LoBoS numbered hosts 1..70): a
    // table indexed by id finds the sender without hashing; ids beyond the
    // table (a sparse numbering) go through the map.
    std::vector<int> sender_by_id_;  // index into senders_, -1 for none
    std::unordered_map<NodeId, int> sender_by_large_id_;
};

}  // namespace lobos
