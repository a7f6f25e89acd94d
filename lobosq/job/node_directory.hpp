#pragma once
// What a node's directory (ROOT/nodes/NAME/) says about each job: which of
// ID.start, ID.cancel and ID.state are there. Pure: the runner lists the
// directory and acts on the result.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lobosq/job/node_orders.hpp"

namespace lobos {

struct JobFiles {
    bool start = false;   // the daemon's order to run it
    bool cancel = false;  // the daemon's order to end it
    bool state = false;   // the runner's report

    bool operator==(const JobFiles&) const = default;
};

// By job id, from the names in the directory. Every other name is ignored:
// dot-files (the temporaries of atomic writes among them), the runner's own
// ID.nodes, and names whose id part is not a job id (is_job_id).
std::map<std::string, JobFiles> job_files(const std::vector<std::string>& names);

// ROOT/nodes/NAME/ID.nodes: the LOBOS_NODEFILE of a running job.
inline constexpr std::string_view nodefile_suffix = ".nodes";

// DIR/ID.SUFFIX, e.g. job_file(node_dir, id, state_suffix).
std::filesystem::path job_file(const std::filesystem::path& dir, const std::string& id,
                               std::string_view suffix);

}  // namespace lobos
