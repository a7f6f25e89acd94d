// ClusterHealth::adopt_shown: a master taking over keeps node_status's
// states for what it has not heard itself. Kept apart from the rules of
// cluster_health.cpp, which run on every datagram: this runs once per take-over.

#include <algorithm>
#include <string>
#include <unordered_map>

#include "pulse/health/cluster_health.hpp"

namespace lobos {

void ClusterHealth::adopt_shown(const NodeStatus& shown, Instant now) {
    const MonoTime node_until = after_listening(config_.pulse.node_timeout);
    if (now.mono < node_until) {
        for (const NodeState& s : shown.nodes) {
            const int i = name_index(s.name);
            if (i < 0) continue;
            NodeEntry& n = nodes_[i];
            if (n.heard && n.heard->mono >= listening_.mono) continue;  // its own news since
            n.up = s.up;
            n.since = s.since;
            n.last_change.reset();  // what node_status shows: nothing to reconcile
            if (s.up && !config_.nodes[i].is_hub())
                set_deadline(n.deadline, n.queued, node_until, DeadlineKind::node, i);
            else
                n.deadline.reset();
        }
    }
    const MonoTime link_until = after_listening(config_.pulse.link_timeout);
    if (now.mono >= link_until) return;
    std::unordered_map<std::string, int> index_of_link;
    for (int i = 0; i < static_cast<int>(config_.links.size()); ++i)
        index_of_link.emplace(config_.links[i].name1 + ' ' + config_.links[i].name2, i);
    for (const LinkState& s : shown.links) {
        auto it = index_of_link.find(s.name1 + ' ' + s.name2);
        if (it == index_of_link.end()) continue;
        LinkEntry& l = links_[it->second];
        const bool heard_since = l.end_heard[0] && l.end_heard[1] &&
                                 std::min(l.end_heard[0]->mono, l.end_heard[1]->mono) >= listening_.mono;
        if (heard_since) continue;
        l.up = s.up;
        l.since = s.since;
        l.last_change.reset();
        if (s.up)
            set_deadline(l.deadline, l.queued, link_until, DeadlineKind::link, it->second);
        else
            l.deadline.reset();
    }
}

}  // namespace lobos
