#pragma once
// What a host has heard over each of its own links, for the LinkHeard part
// of its heartbeat. Pure: the daemon passes in each admitted datagram and
// the time.

#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "config/cluster_config.hpp"
#include "share/formats/heartbeat.hpp"

namespace lobos {

class PeerHearing {
public:
    using Clock = std::chrono::steady_clock;
    // At most this many peers are listed for a hub link: masters first, then
    // the most recently heard. Enough to prove the hub carries traffic
    // without a datagram growing with the cluster.
    static constexpr std::size_t max_hub_peers = 16;

    PeerHearing(const ClusterConfig& config, NodeId self);

    // An admitted datagram arrived at `now`: its sender was heard over the
    // link it came by, and over a direct link its report also says when the
    // sender last heard this host.
    void heard(const HeartbeatReport& report, Clock::time_point now);

    // One entry per link of this host, with the peers heard within `horizon`.
    // A direct link's entry also lists this host itself when the far end said
    // it heard us: passed on so that a master learns both sides of the link
    // even when the far end's own reports cannot reach it.
    std::vector<LinkHeard> report(Clock::time_point now, Clock::duration horizon) const;

    // This host's links, in ClusterConfig::links order.
    const std::vector<LinkIndex>& own_links() const { return own_links_; }

private:
    const ClusterConfig& config_;
    NodeId self_;
    std::vector<LinkIndex> own_links_;
    std::unordered_map<LinkIndex, LinkIndex> own_link_for_channel_;  // sender's link -> mine
    std::unordered_map<NodeId, bool> is_master_;
    std::unordered_map<LinkIndex, std::unordered_map<NodeId, Clock::time_point>> last_heard_;
    std::unordered_map<LinkIndex, Clock::time_point> heard_by_far_end_;  // direct links only
};

}  // namespace lobos
