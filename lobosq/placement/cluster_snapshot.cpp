#include "lobosq/placement/cluster_snapshot.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lobos {

LinkHealth link_health(const ClusterConfig& config, const NodeStatus& status) {
    std::map<std::string, bool, std::less<>> node_up;
    for (const NodeState& state : status.nodes) node_up.try_emplace(state.name, state.up);
    // Links are keyed by both ends in either order: node_status writes a
    // link as the topology file does, but master-master lines may be turned.
    std::map<std::pair<std::string, std::string>, bool> link_up;
    for (const LinkState& state : status.links) {
        link_up.try_emplace({state.name1, state.name2}, state.up);
        link_up.try_emplace({state.name2, state.name1}, state.up);
    }
    LinkHealth health;
    for (const Node& node : config.nodes) {
        auto it = node_up.find(node.name);
        if (it == node_up.end() || !it->second) health.down_nodes.insert(node.id);
    }
    for (std::size_t i = 0; i < config.links.size(); ++i) {
        auto it = link_up.find({config.links[i].name1, config.links[i].name2});
        if (it == link_up.end() || !it->second) health.down_links.insert(static_cast<LinkIndex>(i));
    }
    return health;
}

int extra_load(const std::string& node, const std::optional<WallTime>& last_report,
               const std::vector<RecentDispatch>& dispatches) {
    int extra = 0;
    for (const RecentDispatch& d : dispatches)
        if (d.node == node && (!last_report || *last_report <= d.at)) extra += d.cpus;
    return extra;
}

void forget_counted_dispatches(std::vector<RecentDispatch>& dispatches,
                               const std::vector<NodeDetail>& details, WallTime give_up_before) {
    std::map<std::string, WallTime, std::less<>> last_report;
    for (const NodeDetail& detail : details)
        if (detail.last_report && detail.last_heard) last_report.try_emplace(detail.name, *detail.last_heard);
    std::erase_if(dispatches, [&](const RecentDispatch& d) {
        auto it = last_report.find(d.node);
        return d.at < give_up_before || (it != last_report.end() && it->second > d.at);
    });
}

ClusterSnapshot build_cluster_snapshot(const SnapshotInput& input) {
    const ClusterConfig& config = *input.config;
    ClusterSnapshot snapshot;
    snapshot.config = &config;
    snapshot.cpus = number_cpus(config);
    snapshot.held = input.held;
    snapshot.health = input.status ? link_health(config, *input.status) : LinkHealth{};
    snapshot.hops = HopGraph(config, snapshot.health);

    for (const Node* master : config.masters_by_rank()) {
        if (!snapshot.health.down_nodes.contains(master->id)) {
            snapshot.primary_master = master->id;
            break;
        }
    }
    std::set<NodeId> reachable;
    if (snapshot.primary_master && input.graph) {
        for (NodeId id : input.graph->reachable_from(*snapshot.primary_master, snapshot.health))
            reachable.insert(id);
    }

    std::map<std::string, const NodeDetail*, std::less<>> detail_of;
    if (input.details)
        for (const NodeDetail& detail : *input.details) detail_of.try_emplace(detail.name, &detail);
    static const std::vector<RecentDispatch> no_dispatches;
    const auto& dispatches = input.dispatches ? *input.dispatches : no_dispatches;

    int next_cpu = 1;
    for (std::size_t v = 0; v < config.nodes.size(); ++v) {
        const Node& node = config.nodes[v];
        if (!node.is_compute()) continue;
        ComputeNodeView view;
        view.node = &node;
        view.vertex = static_cast<int>(v);
        view.first_cpu = next_cpu;
        view.up = !snapshot.health.down_nodes.contains(node.id);
        view.reachable = reachable.contains(node.id);
        view.speed = node.speed;
        view.cpu_online.assign(static_cast<std::size_t>(std::max(node.cpus, 0)), true);
        std::optional<WallTime> last_report;
        auto detail = detail_of.find(node.name);
        if (detail != detail_of.end() && detail->second->last_report) {
            const HeartbeatReport& report = *detail->second->last_report;
            // A CPU the report does not list is not known to be online.
            for (std::size_t i = 0; i < view.cpu_online.size(); ++i)
                view.cpu_online[i] = i < report.cpus.size() && report.cpus[i].online;
            view.load_average = report.load_average;
            for (const DiskSample& disk : report.disks) view.disk_free.push_back(disk.free_bytes);
            last_report = detail->second->last_heard;
        }
        view.extra_load = extra_load(node.name, last_report, dispatches);
        for (int i = 0; i < view.cpu_count(); ++i)
            snapshot.node_of_cpu.push_back(static_cast<int>(snapshot.compute.size()));
        next_cpu += view.cpu_count();
        snapshot.compute.push_back(std::move(view));
    }
    return snapshot;
}

}  // namespace lobos
