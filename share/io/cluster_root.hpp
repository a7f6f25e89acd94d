#pragma once
// Where a cluster's files are. Every program takes `--root DIR` and
// `--config DIR` the same way: the root comes from --root, else the
// LOBOS_ROOT environment variable, else /lobos; the configuration from
// --config, else ROOT/config.

#include <filesystem>
#include <optional>
#include <string>

namespace boost::program_options {
class options_description;
class variables_map;
}  // namespace boost::program_options

namespace lobos {

inline constexpr const char* default_cluster_root = "/lobos";
inline constexpr const char* cluster_root_variable = "LOBOS_ROOT";

struct ClusterPaths {
    std::filesystem::path root;
    std::filesystem::path config_dir;

    std::filesystem::path node_status() const { return root / "node_status"; }
    std::filesystem::path node_log() const { return root / "node.log"; }
    // Every node's last report (load, online CPUs, free disk space), beside node_status.
    std::filesystem::path node_detail() const { return root / "node_detail.json"; }
    // pulse's primary lease: who writes node_status, with which epoch.
    std::filesystem::path master_lease() const { return root / "master.lease"; }
    std::filesystem::path job_status() const { return root / "job_status"; }
    std::filesystem::path job_log() const { return root / "job.log"; }
    // Everything about each job that job_status has no column for (user
    // name, nodes, why a job waits): read by `lobosq stat` and webstatus.
    std::filesystem::path job_detail() const { return root / "job_detail.json"; }
    // Submissions and cancel requests: a sticky directory every user may
    // write, so the owner of a file there tells the queue daemon who sent it.
    std::filesystem::path spool() const { return root / "spool"; }
    // The queue daemon's own records (accepted jobs, answers to requests).
    std::filesystem::path queue_dir() const { return root / "queue"; }
    std::filesystem::path queue_lease() const { return root / "queue.lease"; }
    // Orders from the queue daemon to one node's runner, and the runner's
    // reports of the jobs it runs.
    std::filesystem::path node_dir(const std::string& node) const { return root / "nodes" / node; }
};

// Pure precedence rule; `environment_root` is the value of LOBOS_ROOT, if set.
// An empty option or variable counts as not given.
ClusterPaths resolve_cluster_paths(const std::optional<std::string>& root_option,
                                   const std::optional<std::string>& config_option,
                                   const std::optional<std::string>& environment_root);

// Adds --root and --config to a program's options.
void add_cluster_options(boost::program_options::options_description& options);

// Resolves the options added above, reading LOBOS_ROOT from the environment.
ClusterPaths cluster_paths_from(const boost::program_options::variables_map& options);

}  // namespace lobos
