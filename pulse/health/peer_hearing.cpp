#include "pulse/health/peer_hearing.hpp"

#include <algorithm>
#include <unordered_map>

namespace lobos {

PeerHearing::PeerHearing(const ClusterConfig& config, NodeId self) : config_(config), self_(self) {
    const Node* me = config.find_node(self);
    const std::string my_name = me ? me->name : std::string();
    std::unordered_map<std::string, LinkIndex> my_hub_link;  // hub name -> my link to it
    for (LinkIndex i = 0; i < static_cast<LinkIndex>(config.links.size()); ++i) {
        const Link& l = config.links[i];
        if (l.name1 != my_name && l.name2 != my_name) continue;
        own_links_.push_back(i);
        if (l.kind == LinkKind::hub)
            my_hub_link[l.name2] = i;
        else
            own_link_for_channel_[i] = i;  // the same link, seen from the other end
    }
    // A hub datagram names the sender's link to the hub; it reached me over mine.
    for (LinkIndex i = 0; i < static_cast<LinkIndex>(config.links.size()); ++i) {
        const Link& l = config.links[i];
        if (l.kind != LinkKind::hub || l.name1 == my_name) continue;
        if (auto it = my_hub_link.find(l.name2); it != my_hub_link.end())
            own_link_for_channel_[i] = it->second;
    }
    for (const Node& n : config.nodes) is_master_[n.id] = n.is_master();
}

void PeerHearing::heard(const HeartbeatReport& report, Clock::time_point now) {
    if (report.sender == self_ || report.channel == report_channel) return;
    auto it = own_link_for_channel_.find(static_cast<LinkIndex>(report.channel));
    if (it == own_link_for_channel_.end()) return;
    const LinkIndex mine = it->second;
    last_heard_[mine][report.sender] = now;
    if (config_.links[mine].kind == LinkKind::hub) return;
    for (const LinkHeard& entry : report.links) {
        if (entry.link != mine) continue;
        for (const PeerHeard& p : entry.heard) {
            if (p.peer != self_) continue;
            const Clock::time_point when = now - std::chrono::milliseconds(p.age_ms);
            auto [slot, fresh] = heard_by_far_end_.emplace(mine, when);
            if (!fresh && when > slot->second) slot->second = when;
        }
    }
}

std::vector<LinkHeard> PeerHearing::report(Clock::time_point now, Clock::duration horizon) const {
    std::vector<LinkHeard> out;
    out.reserve(own_links_.size());
    for (LinkIndex link : own_links_) {
        LinkHeard entry{link, {}};
        auto heard = last_heard_.find(link);
        if (heard != last_heard_.end()) {
            std::vector<std::pair<NodeId, Clock::time_point>> peers;
            for (const auto& [peer, when] : heard->second)
                if (now - when <= horizon) peers.emplace_back(peer, when);
            if (config_.links[link].kind == LinkKind::hub && peers.size() > max_hub_peers) {
                auto master = [&](NodeId id) {
                    auto m = is_master_.find(id);
                    return m != is_master_.end() && m->second;
                };
                std::partial_sort(peers.begin(), peers.begin() + max_hub_peers, peers.end(),
                                  [&](const auto& a, const auto& b) {
                                      if (master(a.first) != master(b.first)) return master(a.first);
                                      return a.second > b.second;
                                  });
                peers.resize(max_hub_peers);
            }
            std::sort(peers.begin(), peers.end());
            for (const auto& [peer, when] : peers) {
                auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - when).count();
                entry.heard.push_back({peer, static_cast<std::uint32_t>(std::max<long long>(age, 0))});
            }
        }
        if (auto far = heard_by_far_end_.find(link);
            far != heard_by_far_end_.end() && now - far->second <= horizon) {
            auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - far->second).count();
            entry.heard.push_back({self_, static_cast<std::uint32_t>(std::max<long long>(age, 0))});
        }
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace lobos
