#pragma once
// Each host and link as the page, the API and /metrics show it: the
// configuration joined with node_status (up or down, since when),
// node_detail.json (last heard, load, memory, disks) and the jobs of
// job_detail.json or job_status (which CPUs are busy, which jobs run where).
// Pure: made from a snapshot.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webstatus/content/status_snapshot.hpp"

namespace lobos::web {

enum class Health { up, down, unknown };  // unknown: node_status does not list it (yet)
std::string_view health_name(Health health);

struct NodeView {
    const Node* node = nullptr;  // in the snapshot's configuration
    Health health = Health::unknown;
    std::optional<WallTime> since;
    std::optional<WallTime> last_heard;
    int cpus_busy = 0;  // held by running jobs
    int cpus_free = 0;  // on an up compute node: not held by jobs, and online when reported
    std::optional<int> cpus_online;
    std::optional<double> utilisation;  // mean over the CPUs, 0..1
    std::optional<double> load_average;
    std::optional<std::uint64_t> memory_free, memory_total;
    std::optional<std::uint64_t> disk_free, disk_total;  // the fullest disk of pulse.conf's Disks
    std::vector<std::string> jobs;                       // running jobs on this node
};

struct LinkView {
    const Link* link = nullptr;
    Health health = Health::unknown;
    std::optional<WallTime> since;
    std::string ip1, ip2;  // as node_status shows them (231.231.231.231 for a hub)
};

// Every host of config/nodes, in its order (hubs included).
std::vector<NodeView> node_views(const StatusSnapshot& snapshot);
// Every link of the configuration, then any other link node_status lists.
std::vector<LinkView> link_views(const StatusSnapshot& snapshot);

// The jobs that hold CPUs now, with them: from job_detail.json, else job_status.
struct RunningJob {
    std::string id;
    std::vector<int> cpus;
};
std::vector<RunningJob> running_jobs(const StatusSnapshot& snapshot);

}  // namespace lobos::web
