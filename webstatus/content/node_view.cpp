#include "webstatus/content/node_view.hpp"

#include <algorithm>
#include <unordered_map>

namespace lobos::web {

std::string_view health_name(Health health) {
    switch (health) {
        case Health::up:
            return "up";
        case Health::down:
            return "down";
        case Health::unknown:
            break;
    }
    return "unknown";
}

std::vector<RunningJob> running_jobs(const StatusSnapshot& snapshot) {
    std::vector<RunningJob> out;
    if (snapshot.job_detail) {
        for (const JobView& job : snapshot.job_detail->jobs)
            if (job.state == "running" || !job.cpus.empty()) out.push_back({job.id, job.cpus});
    } else if (snapshot.job_status) {
        for (const JobStatusLine& line : snapshot.job_status->jobs)
            if (!line.cpus.empty()) out.push_back({line.id, line.cpus});
    }
    return out;
}

std::vector<NodeView> node_views(const StatusSnapshot& snapshot) {
    const ClusterView& cluster = *snapshot.cluster;
    std::vector<NodeView> views(cluster.config.nodes.size());
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(views.size());
    for (std::size_t i = 0; i < views.size(); ++i) {
        views[i].node = &cluster.config.nodes[i];
        index.emplace(cluster.config.nodes[i].name, i);
    }
    auto find = [&](std::string_view name) -> NodeView* {
        const auto it = index.find(name);
        return it == index.end() ? nullptr : &views[it->second];
    };

    if (snapshot.node_status)
        for (const NodeState& state : snapshot.node_status->nodes)
            if (NodeView* view = find(state.name)) {
                view->health = state.up ? Health::up : Health::down;
                view->since = state.since;
            }
    if (snapshot.node_detail)
        for (const NodeDetail& detail : snapshot.node_detail->nodes) {
            NodeView* view = find(detail.name);
            if (!view) continue;
            // node_status has the time of day only; the detail file the whole date.
            if (view->health == Health::unknown) view->health = detail.up ? Health::up : Health::down;
            if ((view->health == Health::up) == detail.up) view->since = detail.since;
            view->last_heard = detail.last_heard;
            if (!detail.last_report) continue;
            const HeartbeatReport& report = *detail.last_report;
            int online = 0;
            double busy = 0;
            for (const CpuSample& cpu : report.cpus) {
                online += cpu.online ? 1 : 0;
                busy += cpu.utilisation;
            }
            view->cpus_online = online;
            if (!report.cpus.empty()) view->utilisation = busy / static_cast<double>(report.cpus.size());
            view->load_average = report.load_average;
            view->memory_free = report.memory_free_bytes;
            view->memory_total = report.memory_total_bytes;
            for (const DiskSample& disk : report.disks)
                if (!view->disk_free || disk.free_bytes < *view->disk_free) {
                    view->disk_free = disk.free_bytes;
                    view->disk_total = disk.total_bytes;
                }
        }

    for (const RunningJob& job : running_jobs(snapshot))
        for (const int cpu : job.cpus) {
            if (cpu < 1 || static_cast<std::size_t>(cpu) > cluster.cpu_slots.size()) continue;
            NodeView* view = find(cluster.cpu_slots[static_cast<std::size_t>(cpu) - 1].node);
            if (!view) continue;
            ++view->cpus_busy;
            if (view->jobs.empty() || view->jobs.back() != job.id) view->jobs.push_back(job.id);
        }

    for (NodeView& view : views) {
        if (!view.node->is_compute() || view.health != Health::up) continue;
        const int usable = std::min(view.node->cpus, view.cpus_online.value_or(view.node->cpus));
        view.cpus_free = std::max(0, usable - view.cpus_busy);
    }
    return views;
}

std::vector<LinkView> link_views(const StatusSnapshot& snapshot) {
    const ClusterConfig& config = snapshot.cluster->config;
    std::vector<LinkView> views;
    views.reserve(config.links.size());
    std::unordered_map<std::string, std::size_t> index;
    auto key = [](std::string_view a, std::string_view b) {
        return a < b ? std::string(a) + ' ' + std::string(b) : std::string(b) + ' ' + std::string(a);
    };
    for (const Link& link : config.links) {
        index.emplace(key(link.name1, link.name2), views.size());
        views.push_back(LinkView{&link, Health::unknown, std::nullopt, link.ip1, link.ip2});
    }
    if (snapshot.node_status)
        for (const LinkState& state : snapshot.node_status->links) {
            const auto it = index.find(key(state.name1, state.name2));
            if (it == index.end()) continue;  // a link of another configuration: nothing to draw it with
            LinkView& view = views[it->second];
            view.health = state.up ? Health::up : Health::down;
            view.since = state.since;
            view.ip1 = state.name1 == view.link->name1 ? state.ip1 : state.ip2;
            view.ip2 = state.name1 == view.link->name1 ? state.ip2 : state.ip1;
        }
    if (snapshot.node_detail)
        for (const LinkState& state : snapshot.node_detail->links) {
            const auto it = index.find(key(state.name1, state.name2));
            if (it == index.end()) continue;
            LinkView& view = views[it->second];
            if ((view.health == Health::up) == state.up) view.since = state.since;
        }
    return views;
}

}  // namespace lobos::web
