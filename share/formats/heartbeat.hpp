#pragma once
// What a heartbeat datagram says. Every HeartBeat seconds each host sends
// one to every master, one over each of its direct links to the far end, and
// one to the multicast group of each hub it is on; each copy names the
// channel it travels on, so a receiver learns which link carried it.

#include <cstdint>
#include <vector>

#include "config/cluster_config.hpp"

namespace lobos {

// Channel of a report sent straight to a master, not over a configured link.
inline constexpr std::uint32_t report_channel = 0xFFFFFFFFu;

struct CpuSample {
    float utilisation = 0;  // 0..1, busy share since the previous heartbeat
    bool online = true;

    bool operator==(const CpuSample&) const = default;
};

struct DiskSample {
    std::uint64_t free_bytes = 0;  // available to unprivileged users
    std::uint64_t total_bytes = 0;

    bool operator==(const DiskSample&) const = default;
};

struct PeerHeard {
    NodeId peer = 0;
    std::uint32_t age_ms = 0;  // how long before sending this datagram the peer was last heard

    bool operator==(const PeerHeard&) const = default;
};

// Who the sender has heard over one of its links. Over a hub only a bounded
// number of peers are listed (masters first, then the most recently heard):
// enough to show the hub works without growing with the cluster.
struct LinkHeard {
    LinkIndex link = 0;
    std::vector<PeerHeard> heard;

    bool operator==(const LinkHeard&) const = default;
};

struct HeartbeatReport {
    NodeId sender = 0;
    std::uint64_t sequence = 0;              // grows with every datagram a sender sends, across restarts
    std::uint32_t channel = report_channel;  // LinkIndex of the link it travels on, or report_channel
    std::int64_t sent_unix_ms = 0;           // sender's wall clock, for display only
    float load_average = 0;                  // 1-minute load average
    std::uint64_t memory_free_bytes = 0;     // MemAvailable
    std::uint64_t memory_total_bytes = 0;
    std::vector<CpuSample> cpus;
    std::vector<DiskSample> disks;  // in the order of pulse.conf's Disks
    std::vector<LinkHeard> links;
    std::uint64_t primary_epoch = 0;  // a master that holds the primary lease says so; 0 otherwise

    bool operator==(const HeartbeatReport&) const = default;
};

}  // namespace lobos
