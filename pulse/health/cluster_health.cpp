#include "pulse/health/cluster_health.hpp"

#include <algorithm>
#include <cstdio>

namespace lobos {
namespace {

// A report of a peer heard longer ago than this is no news at all.
constexpr std::uint32_t max_useful_age_ms = 3'600'000;

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", s);
    return buf;
}

std::string setting_text(Seconds s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s.count());
    return buf;
}

std::string link_subject(const Link& l) { return "link " + l.name1 + " " + l.name2; }

// Ids below this many table slots per host (and at least this many) are in the table.
constexpr std::size_t id_table_slots_per_host = 4;
constexpr std::size_t min_id_table_slots = 1024;

}  // namespace

ClusterHealth::ClusterHealth(const ClusterConfig& config, Instant start)
    : config_(config),
      listening_{start.mono, start.wall},
      nodes_(config.nodes.size()),
      links_(config.links.size()),
      links_of_node_(config.nodes.size()) {
    for (NodeEntry& n : nodes_) n.since = start.wall;
    for (LinkEntry& l : links_) l.since = start.wall;
    const std::size_t table_slots =
        std::max(min_id_table_slots, id_table_slots_per_host * config.nodes.size());
    for (int n = 0; n < static_cast<int>(config.nodes.size()); ++n) {
        const NodeId id = config.nodes[n].id;
        if (id >= 0 && static_cast<std::size_t>(id) < table_slots) {
            if (index_of_small_id_.size() <= static_cast<std::size_t>(id))
                index_of_small_id_.resize(static_cast<std::size_t>(id) + 1, -1);
            index_of_small_id_[static_cast<std::size_t>(id)] = n;
        } else {
            index_of_id_.emplace(id, n);
        }
        index_of_name_.emplace(config.nodes[n].name, n);
    }
    for (int i = 0; i < static_cast<int>(config.links.size()); ++i) {
        const Link& l = config.links[i];
        link_ends_.push_back({name_index(l.name1), name_index(l.name2)});
        for (int end : link_ends_.back())
            if (end >= 0) links_of_node_[end].push_back(i);
    }
}

int ClusterHealth::node_index(NodeId id) const {
    if (id >= 0 && static_cast<std::size_t>(id) < index_of_small_id_.size())
        return index_of_small_id_[static_cast<std::size_t>(id)];
    auto it = index_of_id_.find(id);
    return it == index_of_id_.end() ? -1 : it->second;
}

int ClusterHealth::name_index(const std::string& name) const {
    auto it = index_of_name_.find(name);
    return it == index_of_name_.end() ? -1 : it->second;
}

ClusterHealth::Heard ClusterHealth::at_age(Instant now, std::uint32_t age_ms) {
    auto age = std::chrono::milliseconds(age_ms);
    return {now.mono - age, now.wall - age};
}

void ClusterHealth::on_datagram(const HeartbeatReport& report, NodeId receiver, Instant now) {
    on_datagram(std::make_shared<const HeartbeatReport>(report), receiver, now);
}

void ClusterHealth::on_datagram(std::shared_ptr<const HeartbeatReport> shared, NodeId receiver, Instant now) {
    const HeartbeatReport& report = *shared;
    if (restart_on_datagram_ && report.sender != receiver) {
        listening_ = {now.mono, now.wall};
        restart_on_datagram_ = false;
    }
    const int sender = node_index(report.sender);
    if (sender < 0 || config_.nodes[sender].is_hub()) return;
    NodeEntry& entry = nodes_[sender];
    entry.last_report = std::move(shared);
    hear_node(sender, {now.mono, now.wall}, {}, now);

    const std::string& sender_name = config_.nodes[sender].name;
    if (report.channel != report_channel && report.channel < config_.links.size()) {
        const int c = static_cast<int>(report.channel);
        const Link& link = config_.links[c];
        if (link.kind == LinkKind::hub && link.name1 == sender_name) {
            // Someone on the hub (this master) heard the sender over it, and
            // this master's own link to that hub carried a peer's datagram.
            hear_link_end(c, 0, {now.mono, now.wall}, now);
            const int r = node_index(receiver);
            if (r >= 0) {
                for (int mine : links_of_node_[r]) {
                    const Link& own = config_.links[mine];
                    if (own.kind == LinkKind::hub && own.name1 == config_.nodes[r].name &&
                        own.name2 == link.name2)
                        hear_link_end(mine, 1, {now.mono, now.wall}, now);
                }
            }
        } else if (link.kind != LinkKind::hub && (link.name1 == sender_name || link.name2 == sender_name)) {
            hear_link_end(c, link.name1 == sender_name ? 0 : 1, {now.mono, now.wall}, now);
        }
    }
    for (const LinkHeard& heard : report.links) apply_link_heard(heard, sender, now);
}

void ClusterHealth::apply_link_heard(const LinkHeard& entry, int reporter, Instant now) {
    if (entry.link < 0 || entry.link >= static_cast<int>(config_.links.size())) return;
    const Link& link = config_.links[entry.link];
    const std::string& name = config_.nodes[reporter].name;
    if (link.name1 != name && link.name2 != name) return;  // not the reporter's link: ignore

    if (link.kind == LinkKind::hub) {
        if (link.name1 != name) return;
        std::optional<std::uint32_t> freshest;
        for (const PeerHeard& p : entry.heard) {
            if (p.age_ms > max_useful_age_ms) continue;
            const int peer = node_index(p.peer);
            if (peer < 0 || peer == reporter) continue;
            freshest = std::min(freshest.value_or(p.age_ms), p.age_ms);
            const Heard at = at_age(now, p.age_ms);
            hear_node(peer, at, {reporter, &link.name2}, now);
            // The peer's own link to this hub carried what the reporter heard.
            for (int theirs : links_of_node_[peer]) {
                const Link& l = config_.links[theirs];
                if (l.kind == LinkKind::hub && l.name1 == config_.nodes[peer].name && l.name2 == link.name2)
                    hear_link_end(theirs, 0, at, now);
            }
        }
        if (freshest) hear_link_end(entry.link, 1, at_age(now, *freshest), now);
        return;
    }
    const int far_end = link.name1 == name ? 1 : 0;
    const std::string& far_name = far_end == 1 ? link.name2 : link.name1;
    const int near_end = 1 - far_end;
    for (const PeerHeard& p : entry.heard) {
        if (p.age_ms > max_useful_age_ms) continue;
        const int peer = node_index(p.peer);
        if (peer == reporter) {
            // Passed on: the far end heard the reporter over this link.
            hear_link_end(entry.link, near_end, at_age(now, p.age_ms), now);
            continue;
        }
        if (peer < 0 || config_.nodes[peer].name != far_name) continue;
        const Heard at = at_age(now, p.age_ms);
        hear_node(peer, at, {reporter, nullptr}, now);
        hear_link_end(entry.link, far_end, at, now);
    }
}

void ClusterHealth::hear_node(int node, Heard at, HowHeard how, Instant now) {
    NodeEntry& n = nodes_[node];
    if (n.heard && at.mono <= n.heard->mono) return;
    n.heard = at;
    const MonoTime heard_deadline =
        at.mono + std::chrono::duration_cast<std::chrono::steady_clock::duration>(config_.pulse.node_timeout);
    if (heard_deadline <= now.mono) return;  // news, but already too old to make the node up
    const MonoTime deadline = std::max(heard_deadline, after_listening(config_.pulse.node_timeout));
    // A neighbour's report can arrive just after the node was declared down
    // and still predate that moment: only hearing since then brings it back.
    if (!n.up && n.down_at && at.mono <= *n.down_at) return;
    if (!n.up) {
        std::string text =
            how.reporter < 0 ? "heard directly" : "reported by " + config_.nodes[how.reporter].name;
        if (how.hub) text += " on " + *how.hub;
        change_node(node, true, now.wall, config_.nodes[node].name + " up: " + text);
    }
    set_deadline(n.deadline, n.queued, deadline, DeadlineKind::node, node);
}

void ClusterHealth::hear_link_end(int link, int end, Heard at, Instant now) {
    LinkEntry& l = links_[link];
    auto& slot = l.end_heard[end];
    if (slot && at.mono <= slot->mono) return;
    slot = at;
    if (!l.end_heard[0] || !l.end_heard[1]) return;
    const MonoTime oldest = std::min(l.end_heard[0]->mono, l.end_heard[1]->mono);
    const MonoTime heard_deadline =
        oldest + std::chrono::duration_cast<std::chrono::steady_clock::duration>(config_.pulse.link_timeout);
    if (heard_deadline <= now.mono) return;
    const MonoTime deadline = std::max(heard_deadline, after_listening(config_.pulse.link_timeout));
    if (!l.up && l.down_at && oldest <= *l.down_at) return;
    const Link& cfg = config_.links[link];
    if (!l.up) {
        std::string how = cfg.kind == LinkKind::hub ? cfg.name1 + " and " + cfg.name2 + " hear each other"
                                                    : "both ends hear each other";
        change_link(link, true, now.wall, link_subject(cfg) + " up: " + how);
    }
    set_deadline(l.deadline, l.queued, deadline, DeadlineKind::link, link);
}

void ClusterHealth::set_deadline(std::optional<MonoTime>& deadline, std::optional<MonoTime>& queued,
                                 MonoTime when, DeadlineKind kind, int index) {
    deadline = when;
    // Each entry sits in the set once, no later than its deadline. Hearing a
    // node again only moves its deadline on, which advance() finds when the
    // queued time comes: a few set operations per node per timeout instead
    // of several for every datagram.
    if (queued && *queued <= when) return;
    if (queued) deadlines_.erase({*queued, {kind, index}});
    queued = when;
    deadlines_.insert({when, {kind, index}});
}

void ClusterHealth::change_node(int node, bool up, WallTime at, std::string reason) {
    NodeEntry& n = nodes_[node];
    n.up = up;
    n.since = at;
    HealthChange change{HealthChange::Kind::node, node, up, at, config_.nodes[node].name, std::move(reason)};
    n.last_change = change;
    pending_.push_back(std::move(change));
}

void ClusterHealth::change_link(int link, bool up, WallTime at, std::string reason) {
    LinkEntry& l = links_[link];
    l.up = up;
    l.since = at;
    const Link& cfg = config_.links[link];
    HealthChange change{HealthChange::Kind::link, link, up, at, link_subject(cfg), std::move(reason)};
    l.last_change = change;
    pending_.push_back(std::move(change));
    if (cfg.kind == LinkKind::hub && link_ends_[link][1] >= 0)
        update_hub(link_ends_[link][1], at, link_subject(cfg) + (up ? " up" : " down"));
}

void ClusterHealth::update_hub(int hub, WallTime at, const std::string& because) {
    bool any_up = false;
    for (int l : links_of_node_[hub]) any_up = any_up || links_[l].up;
    if (any_up == nodes_[hub].up) return;
    change_node(hub, any_up, at,
                config_.nodes[hub].name + (any_up ? " up: " : " down: ") +
                    (any_up ? because : "no link to it is up (last: " + because + ")"));
}

std::vector<HealthChange> ClusterHealth::advance(Instant now) {
    // Entries queued up to the horizon are looked at now: those whose
    // deadline has moved on go back in at it (in one go, rather than a
    // wake-up for each), those due expire, and those that will expire
    // before the horizon stay, queued at their exact deadline.
    const MonoTime horizon = now.mono + requeue_lookahead;
    auto it = deadlines_.begin();
    while (it != deadlines_.end() && it->first <= horizon) {
        const auto [when, key] = *it;
        const auto [kind, index] = key;
        std::optional<MonoTime>& deadline =
            kind == DeadlineKind::node ? nodes_[index].deadline : links_[index].deadline;
        std::optional<MonoTime>& queued =
            kind == DeadlineKind::node ? nodes_[index].queued : links_[index].queued;
        if (deadline && *deadline == when && when > now.mono) {
            ++it;  // exact, and not due yet
            continue;
        }
        it = deadlines_.erase(it);
        queued.reset();
        if (!deadline) continue;
        if (*deadline > now.mono) {
            // Heard since it was queued. Inserted after `it` (it is later
            // than `when`), so this loop meets it again if it is before the horizon.
            queued = deadline;
            deadlines_.insert({*deadline, key});
            continue;
        }
        deadline.reset();
        if (kind == DeadlineKind::node) {
            NodeEntry& n = nodes_[index];
            if (!n.up) continue;
            n.down_at = now.mono;
            // Up as node_status showed it, and not heard since: silent as long as this master listened.
            const MonoTime last = n.heard ? n.heard->mono : listening_.mono;
            const double silent = std::chrono::duration<double>(now.mono - last).count();
            change_node(index, false, now.wall,
                        config_.nodes[index].name + " down: not heard for " + seconds_text(silent) +
                            " s (NodeTimeOut " + setting_text(config_.pulse.node_timeout) + ")");
        } else {
            LinkEntry& l = links_[index];
            if (!l.up) continue;
            l.down_at = now.mono;
            const Link& cfg = config_.links[index];
            // An end never heard (a link up as node_status showed it) is the stale one.
            const auto heard_at = [&](int end) {
                return l.end_heard[end] ? l.end_heard[end]->mono : listening_.mono;
            };
            const int stale = heard_at(0) <= heard_at(1) ? 0 : 1;
            const double silent = std::chrono::duration<double>(now.mono - heard_at(stale)).count();
            std::string what;
            if (cfg.kind == LinkKind::hub)
                what = stale == 0 ? cfg.name1 + " not heard on " + cfg.name2
                                  : cfg.name1 + " hears no one on " + cfg.name2;
            else
                what = stale == 0 ? cfg.name1 + " not heard by " + cfg.name2
                                  : cfg.name2 + " not heard by " + cfg.name1;
            change_link(index, false, now.wall,
                        link_subject(cfg) + " down: " + what + " for " + seconds_text(silent) +
                            " s (LinkTimeOut " + setting_text(config_.pulse.link_timeout) + ")");
        }
    }
    std::vector<HealthChange> out;
    out.swap(pending_);
    return out;
}

MonoTime ClusterHealth::after_listening(Seconds timeout) const {
    return listening_.mono + std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
}

void ClusterHealth::restart_listening(Instant now) {
    listening_ = {now.mono, now.wall};
    restart_on_datagram_ = true;
}

bool ClusterHealth::heard_long_enough(Instant now) const {
    return now.mono >= after_listening(config_.pulse.node_timeout) &&
           now.mono >= after_listening(config_.pulse.link_timeout);
}

void ClusterHealth::suspend(std::chrono::steady_clock::duration stalled) {
    listening_.mono += stalled;
    listening_.wall += std::chrono::duration_cast<WallClock::duration>(stalled);
    for (NodeEntry& n : nodes_)
        if (n.heard) n.heard->mono += stalled;
    for (LinkEntry& l : links_)
        for (auto& end : l.end_heard)
            if (end) end->mono += stalled;
    std::set<DeadlineKey> moved;
    for (const auto& [when, key] : deadlines_) moved.insert({when + stalled, key});
    deadlines_.swap(moved);
    for (NodeEntry& n : nodes_) {
        if (n.deadline) *n.deadline += stalled;
        if (n.queued) *n.queued += stalled;
    }
    for (LinkEntry& l : links_) {
        if (l.deadline) *l.deadline += stalled;
        if (l.queued) *l.queued += stalled;
    }
}

std::optional<MonoTime> ClusterHealth::next_deadline() const {
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
}

bool ClusterHealth::node_up(NodeId id) const {
    int i = node_index(id);
    return i >= 0 && nodes_[i].up;
}

std::optional<MonoTime> ClusterHealth::last_heard(NodeId id) const {
    int i = node_index(id);
    if (i < 0 || !nodes_[i].heard) return std::nullopt;
    return nodes_[i].heard->mono;
}

NodeStatus ClusterHealth::status(WallTime written) const {
    NodeStatus s;
    s.written = written;
    for (std::size_t i = 0; i < nodes_.size(); ++i)
        s.nodes.push_back({config_.nodes[i].name, nodes_[i].up, nodes_[i].since});
    for (std::size_t i = 0; i < links_.size(); ++i) {
        const Link& l = config_.links[i];
        std::string far = l.kind == LinkKind::hub ? std::string(hub_multicast_group) : l.ip2;
        s.links.push_back({l.name1, l.name2, l.ip1, far, links_[i].up, links_[i].since});
    }
    return s;
}

std::vector<NodeDetail> ClusterHealth::details() const {
    std::vector<NodeDetail> out;
    out.reserve(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const NodeEntry& n = nodes_[i];
        NodeDetail d;
        d.name = config_.nodes[i].name;
        d.up = n.up;
        d.since = n.since;
        if (n.heard) d.last_heard = n.heard->wall;
        if (n.last_report) d.last_report = *n.last_report;
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<SharedNodeDetail> ClusterHealth::shared_details() const {
    std::vector<SharedNodeDetail> out;
    out.reserve(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const NodeEntry& n = nodes_[i];
        std::optional<WallTime> heard;
        if (n.heard) heard = n.heard->wall;
        out.push_back({config_.nodes[i].name, n.up, n.since, heard, n.last_report});
    }
    return out;
}

std::vector<HealthChange> ClusterHealth::latest_changes() const {
    std::vector<HealthChange> out;
    for (const NodeEntry& n : nodes_)
        if (n.last_change) out.push_back(*n.last_change);
    for (const LinkEntry& l : links_)
        if (l.last_change) out.push_back(*l.last_change);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    return out;
}

}  // namespace lobos
