#pragma once
// Everything webstatus shows, as read at one moment: the configuration and
// the last good copy of each status file, with what was wrong with any file
// that is missing or did not parse. Immutable once made: request threads
// share one snapshot while the cache makes the next.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "share/formats/cpu_numbering.hpp"
#include "share/formats/job_status.hpp"
#include "share/formats/node_detail.hpp"
#include "share/formats/node_status.hpp"
#include "webstatus/content/job_log_index.hpp"

namespace lobos::web {

// The configuration and what follows from it alone, made once at start.
struct ClusterView {
    ClusterConfig config;
    std::vector<CpuSlot> cpu_slots;  // job_status's CPU numbers: cpu_slots[n - 1] is CPU n
    // node_status older than this is stale: pulse rewrites it every second
    // at least, so a few missed rewrites mean the primary master is gone.
    Seconds stale_after{3.0};
};

ClusterView make_cluster_view(ClusterConfig config);

// max(3 x HeartBeat, 3 s): three missed rewrites of node_status.
Seconds stale_after(const PulseConf& conf);

// One status file as the cache last saw it.
struct FileReport {
    explicit FileReport(std::string file_name) : name(std::move(file_name)) {}

    std::string name;                  // "node_status"
    bool present = false;              // the file exists now
    std::optional<WallTime> modified;  // its mtime when read
    bool has_data = false;             // a good copy is held (maybe an older one)
    std::string problem;               // empty when the file is there and parses
};

struct StatusSnapshot {
    std::shared_ptr<const ClusterView> cluster;
    std::uint64_t generation = 0;  // grows whenever a file's content or report changes

    std::shared_ptr<const NodeStatus> node_status;
    std::shared_ptr<const NodeDetailFile> node_detail;
    std::shared_ptr<const JobStatus> job_status;
    std::shared_ptr<const JobDetail> job_detail;
    std::shared_ptr<const JobLogIndex> job_log;

    FileReport node_status_file{"node_status"};
    FileReport node_detail_file{"node_detail.json"};
    FileReport job_status_file{"job_status"};
    FileReport job_detail_file{"job_detail.json"};
    FileReport job_log_file{"job.log"};

    std::vector<const FileReport*> files() const {
        return {&node_status_file, &node_detail_file, &job_status_file, &job_detail_file, &job_log_file};
    }
};

// How old the cluster's health is: node_status's age at `now`, and whether
// that is stale. No node_status at all is stale.
struct Freshness {
    std::optional<double> age_seconds;
    bool stale = true;
};
Freshness freshness(const StatusSnapshot& snapshot, WallTime now);

}  // namespace lobos::web
