#include "lobosq/queue_daemon/cluster_watch.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <exception>
#include <memory>

#include "lobosq/placement/healthy_cpus.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/primary_lease.hpp"

namespace lobos {

using namespace std::chrono_literals;

JobClock::duration stale_after(const ClusterConfig& config) {
    return std::max<JobClock::duration>(
        std::chrono::duration_cast<JobClock::duration>(config.pulse.master_timeout * 3), 10s);
}

ClusterWatch::ClusterWatch(const ClusterConfig& config, const ClusterPaths& paths,
                           const PlacementPolicyKind& policy, DaemonLog& log)
    : config_(config), paths_(paths), policy_(policy), log_(log), graph_(config) {}

void ClusterWatch::forget_status() {
    status_changed_ = detail_changed_ = true;
    up_nodes_.reset();
    node_status_.reset();
    down_since_.clear();
    detail_writer_.reset();
    snapshot_changed_ = true;
}

bool ClusterWatch::read_status(JobTime now) {
    if (!status_changed_) return false;
    status_changed_ = false;
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(paths_.node_status());
    } catch (const std::exception& e) {
        // Read again at the next rescan (a second); until then it counts as missing.
        log_.limited(LogLevel::warning, "node_status", e.what());
    }
    std::optional<std::set<std::string>> up;
    std::optional<NodeStatus> fresh;
    if (text) {
        NodeStatus status = parse_node_status(*text, now).status;
        // node_status that pulse has stopped writing says nothing about now:
        // no job is started on it, and none is failed by it.
        if (now - status.written < stale_after(config_)) {
            up.emplace();
            for (const NodeState& n : status.nodes)
                if (n.up) up->insert(n.name);
            fresh = std::move(status);
        }
    }
    // Links and hubs count for placement as well as nodes: a new snapshot
    // whenever node_status is read (about once a second), not every round.
    down_since_.clear();
    if (fresh)
        for (const NodeState& n : fresh->nodes)
            if (!n.up) down_since_.emplace(n.name, n.since);
    node_status_ = std::move(fresh);
    snapshot_changed_ = true;
    if (up == up_nodes_) return false;
    up_nodes_ = std::move(up);
    return true;
}

void ClusterWatch::read_detail() {
    if (!detail_changed_) return;
    detail_changed_ = false;
    // The rescan asks every second; a file of 12 MB at 10,000 nodes is
    // parsed again only when pulse has replaced it (a new inode each time).
    struct stat st {};
    const bool exists = ::stat(paths_.node_detail().c_str(), &st) == 0;
    const std::pair<ino_t, std::int64_t> version{
        exists ? st.st_ino : 0, exists ? st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec : 0};
    if (exists && version == detail_version_) return;
    detail_version_ = version;
    std::optional<NodeDetailFile> file;
    std::string problem;
    try {
        if (auto text = read_file_if_exists(paths_.node_detail())) {
            NodeDetailRead read = parse_node_detail(*text);
            file = std::move(read.detail);
            problem = read.error;
        } else {
            problem = "missing";
        }
    } catch (const std::exception& e) {
        // A file replaced while read, a stale handle: the version is
        // forgotten so that the next rescan reads it again.
        problem = e.what();
        detail_version_ = {0, 0};
    }
    if (file) {
        if (told_no_detail_)
            log_.info(paths_.node_detail().string() +
                      " read again: placing with the nodes' load, disks and online CPUs");
        told_no_detail_ = false;
        detail_writer_ = DetailWriter{file->writer, file->epoch, file->listening_since};
        node_details_ = std::move(file->nodes);
    } else {
        // Placement goes on from node_status alone rather than stopping:
        // node_status, not this file, says which nodes live.
        if (!told_no_detail_)
            log_.warning(paths_.node_detail().string() + ": " + problem +
                         ": placing without the nodes' load, disks and online CPUs (every CPU online, load "
                         "0, no disk under DiskFloor) until it can be read");
        told_no_detail_ = true;
        node_details_.reset();
        detail_writer_.reset();
    }
    snapshot_changed_ = true;
}

std::optional<JobTime> ClusterWatch::down_since(const std::string& node) const {
    auto it = down_since_.find(node);
    if (it == down_since_.end()) return std::nullopt;
    return it->second;
}

std::optional<JobTime> ClusterWatch::writer_listening_since() const {
    if (!detail_writer_ || !detail_writer_->listening_since) return std::nullopt;
    // node_detail.json is written after node_status, and less often: for a
    // while after a new primary takes over, node_status is the new one's
    // and node_detail.json still the old one's. Its time counts only while
    // it is from the lease's holder and epoch.
    FileResult<std::optional<std::string>> text = try_read_file_if_exists(paths_.master_lease());
    if (!text) {
        log_.limited(LogLevel::warning, "master lease", text.error().text());
        return std::nullopt;
    }
    if (!*text) return std::nullopt;
    const std::optional<LeaseRecord> lease = parse_lease(**text);
    if (!lease || lease->holder != detail_writer_->writer || lease->epoch != detail_writer_->epoch)
        return std::nullopt;
    return detail_writer_->listening_since;
}

const PlacementPolicy& ClusterWatch::placement(JobTime now) {
    if (!snapshot_changed_ && place_) return place_;
    snapshot_changed_ = false;
    // Without fresh node_status every node counts as down (nothing listed).
    static const NodeStatus nothing_known;
    static const std::vector<NodeDetail> no_details;
    forget_counted_dispatches(recent_dispatches_, node_details_ ? *node_details_ : no_details,
                              now - stale_after(config_));
    // No held CPUs in the snapshot: the queue's CpuAvailability says which
    // CPUs jobs hold, at every placement, including the jobs of this round.
    auto snapshot = std::make_shared<const ClusterSnapshot>(
        build_cluster_snapshot(SnapshotInput{&config_,
                                             &graph_,
                                             node_status_ ? &*node_status_ : &nothing_known,
                                             node_details_ ? &*node_details_ : nullptr,
                                             &recent_dispatches_,
                                             {}}));
    const HealthyCpus healthy = healthy_cpus(*snapshot, config_.pulse.disk_floor);
    view_ = ClusterView{up_nodes_.value_or(std::set<std::string>{}), healthy.usable,
                        node_faults(*snapshot, healthy)};
    place_ = policy_.make(PlacementInputs{std::move(snapshot), config_.pulse.disk_floor});
    return place_;
}

void ClusterWatch::dispatched(const Placement& placement, JobTime now) {
    for (const std::string& n : placement.distinct_nodes())
        recent_dispatches_.push_back(RecentDispatch{
            n, static_cast<int>(std::count(placement.nodes.begin(), placement.nodes.end(), n)), now});
    snapshot_changed_ = true;
}

}  // namespace lobos
