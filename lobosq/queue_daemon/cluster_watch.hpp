#pragma once
// What the queue daemon knows of the cluster, and the placement policy built
// from it: node_status (which nodes are up, while pulse keeps it fresh),
// node_detail.json (the nodes' load, disks and online CPUs) and the work
// given out that the nodes' reports do not show yet. The policy is the one
// pulse.conf names (Placement), over a snapshot rebuilt when any of these
// changed.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/topology_graph.hpp"
#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/placement_policies.hpp"
#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/node_detail.hpp"
#include "share/formats/node_status.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

class ClusterWatch {
public:
    ClusterWatch(const ClusterConfig& config, const ClusterPaths& paths, const PlacementPolicyKind& policy,
                 DaemonLog& log);

    // node_status or node_detail.json was (or may have been) replaced.
    void status_changed() { status_changed_ = true; }
    void detail_changed() { detail_changed_ = true; }
    bool has_changes() const { return status_changed_ || detail_changed_; }
    // Forgets node_status, for a daemon that takes over: until it is read
    // again, no one knows which nodes are up.
    void forget_status();

    // Reads node_status if it changed. True when the set of up nodes changed
    // (then up_nodes() is new).
    bool read_status(JobTime now);
    // Reads node_detail.json if it changed (it is parsed again only when
    // pulse has replaced it).
    void read_detail();

    // Since when node_status shows `node` down (its time of the change);
    // none when it shows it up, does not list it, or is not fresh.
    std::optional<JobTime> down_since(const std::string& node) const;
    // Since when the master that writes node_status has listened to the
    // cluster: node_detail.json's listening_since, when that file is from
    // the master and epoch that hold pulse's lease now (read here, once a
    // call). None when unknown: no such time, another writer, no lease.
    std::optional<JobTime> writer_listening_since() const;

    // The compute nodes node_status shows up, once node_status is fresh.
    const std::optional<std::set<std::string>>& up_nodes() const { return up_nodes_; }
    // The policy over a snapshot of the cluster, rebuilt when node_status,
    // node_detail.json or this daemon's dispatches changed.
    const PlacementPolicy& placement(JobTime now);
    // Up nodes, healthy CPUs and faults, from the same snapshot as placement().
    const ClusterView& view() const { return view_; }
    // Its nodes count the extra load until their reports show the job.
    void dispatched(const Placement& placement, JobTime now);

private:
    const ClusterConfig& config_;
    const ClusterPaths& paths_;
    const PlacementPolicyKind& policy_;
    DaemonLog& log_;
    TopologyGraph graph_;

    bool status_changed_ = true;
    bool detail_changed_ = true;
    std::optional<std::set<std::string>> up_nodes_;
    // node_status as last read (while fresh), node_detail.json's nodes (none
    // while it is missing or broken).
    std::optional<NodeStatus> node_status_;
    std::map<std::string, JobTime> down_since_;  // the nodes node_status_ lists down
    // Who wrote node_detail.json last read, and since when it listened.
    struct DetailWriter {
        std::string writer;
        std::uint64_t epoch = 0;
        std::optional<WallTime> listening_since;
    };
    std::optional<DetailWriter> detail_writer_;
    std::optional<std::vector<NodeDetail>> node_details_;
    bool told_no_detail_ = false;
    std::pair<ino_t, std::int64_t> detail_version_{0, 0};  // inode and mtime of the detail file last read
    std::vector<RecentDispatch> recent_dispatches_;
    bool snapshot_changed_ = true;
    PlacementPolicy place_;
    ClusterView view_;
};

// node_status older than this says nothing about now: pulse has stopped
// writing it. Dispatches no report has followed for this long are given up
// on by the extra-load rule too.
JobClock::duration stale_after(const ClusterConfig& config);

}  // namespace lobos
