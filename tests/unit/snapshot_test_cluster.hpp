#pragma once
// A cluster for the placement tests: a configuration (the SPEC's sample
// from config/examples/lobos, or one built in the test), its node_status
// with everything up, a fresh idle report from every compute node, and the
// knobs the tests turn (a node or link down, a full disk, an offline CPU,
// held CPUs, a load, a recent dispatch) before taking a snapshot.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "config/topology_graph.hpp"
#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/topology_placement.hpp"

namespace lobos::test {

inline constexpr std::uint64_t gigabyte = 1ULL << 30;

inline ClusterConfig sample_cluster_config() {
    ConfigLoad load = read_cluster_config(std::string(LOBOS_SOURCE_DIR) + "/config/examples/lobos");
    if (!load.ok()) throw std::runtime_error("config/examples/lobos does not load");
    return std::move(load.config);
}

class SnapshotCluster {
public:
    explicit SnapshotCluster(ClusterConfig config)
        : config_(std::make_unique<ClusterConfig>(std::move(config))), graph_(*config_) {
        for (const Node& node : config_->nodes) {
            status.nodes.push_back(NodeState{node.name, true, reported});
            if (!node.is_compute()) continue;
            HeartbeatReport report;
            report.sender = node.id;
            report.cpus.assign(static_cast<std::size_t>(node.cpus), CpuSample{0, true});
            report.disks = {DiskSample{10 * gigabyte, 20 * gigabyte}};
            details.push_back(NodeDetail{node.name, true, reported, reported, report});
        }
        for (const Link& link : config_->links)
            status.links.push_back(LinkState{link.name1, link.name2, link.ip1, link.ip2, true, reported});
    }

    const ClusterConfig& config() const { return *config_; }

    void node_down(const std::string& name) {
        for (NodeState& node : status.nodes)
            if (node.name == name) node.up = false;
    }
    void link_down(const std::string& a, const std::string& b) {
        for (LinkState& link : status.links)
            if ((link.name1 == a && link.name2 == b) || (link.name1 == b && link.name2 == a)) link.up = false;
    }
    HeartbeatReport& report(const std::string& name) {
        for (NodeDetail& detail : details)
            if (detail.name == name) return *detail.last_report;
        throw std::runtime_error("no compute node " + name);
    }
    void hold(std::initializer_list<int> cpus) {
        held.resize(config_->nodes.empty() ? 0 : static_cast<std::size_t>(config_->compute_cpus()), false);
        for (int cpu : cpus) held[static_cast<std::size_t>(cpu - 1)] = true;
    }
    void hold(const std::vector<int>& cpus) {
        held.resize(static_cast<std::size_t>(config_->compute_cpus()), false);
        for (int cpu : cpus) held[static_cast<std::size_t>(cpu - 1)] = true;
    }

    ClusterSnapshot snapshot() const {
        return build_cluster_snapshot(
            SnapshotInput{config_.get(), &graph_, &status, &details, &dispatches, held});
    }

    // Places on a fresh snapshot, with the snapshot's own view of free CPUs.
    std::optional<Placement> place(int low, int high, int tpip = 1, std::optional<int> nproc0 = {},
                                   std::uint64_t disk_floor = gigabyte) const {
        const ClusterSnapshot s = snapshot();
        return place_topology_aware(PlacementRequest{low, high, tpip, nproc0}, snapshot_availability(s),
                                    TopologyPlacementContext{&s, disk_floor});
    }

    // Every report was heard at this moment; dispatches are timed around it.
    static inline const WallTime reported = WallTime{} + std::chrono::hours(24 * 365 * 56);

    NodeStatus status;
    std::vector<NodeDetail> details;
    std::vector<RecentDispatch> dispatches;
    std::vector<bool> held;

private:
    std::unique_ptr<ClusterConfig> config_;  // the snapshot points into it: keep it in place
    TopologyGraph graph_;
};

}  // namespace lobos::test
