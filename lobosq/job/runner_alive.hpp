#pragma once
// ROOT/nodes/NAME/runner.alive: the runner's sign of life, rewritten whole
// every HeartBeat (atomically, not synced). The queue daemon reads it before
// it fails a job because node_status shows its node down: a runner that
// still writes it is alive, and so is its node, whatever pulse heard (a
// master that has just restarted, or is cut off from the cluster network,
// can show a live node down). Pure codec: no files are touched here.
//
//   {"written": 1795400160123000000, "jobs": ["alice.261123101500", ...]}
//
// "written" is the runner's clock (unix nanoseconds, as in the orders);
// "jobs" the jobs whose shepherd it watches, for people and logs.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lobosq/job/job.hpp"

namespace lobos {

struct RunnerAlive {
    JobTime written{};
    std::vector<std::string> jobs;  // the jobs it is running, by id

    bool operator==(const RunnerAlive&) const = default;
};

// The file's name in the node's directory. Not a job's file (no job id
// before its dot), so job_files() passes over it.
inline constexpr std::string_view runner_alive_file = "runner.alive";

std::string encode_runner_alive(const RunnerAlive& alive);
// nullopt and `error` set when the text is not such a file.
std::optional<RunnerAlive> decode_runner_alive(std::string_view text, std::string& error);

}  // namespace lobos
