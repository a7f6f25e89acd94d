#pragma once
// bench_multihost_latency's measurements (multihost_latency_measure.cpp) on
// a cluster of the multi-host test bed; the program, its options and the
// printing are in multihost_latency.cpp.

#include <string>
#include <vector>

#include "tests/support/multihost_cluster.hpp"

namespace lobos::bench {

struct LatencyOptions {
    int jobs = 60;
    int commands = 30;
    int cancels = 10;
    int lines = 20;
    // One submission a second: job ids are made per second, so faster
    // submissions by one user run ahead of the clock, and each lobosq then
    // looks further for a free id (lobosq/command/untaken_id.hpp).
    int pace_ms = 1000;
    std::vector<std::string> tuned_mounts;
    std::vector<std::string> volume_sets;  // KEY=VALUE: one more bed, default mounts
    bool defaults_only = false;
};

struct LatencyFigures {
    // Where submit -> running goes: lobosq started -> the acting daemon's
    // round that took it (job.log), -> the runner forked the shepherd (its
    // log), -> the job's first command. Milliseconds, to the logs' 1 ms.
    std::vector<double> to_daemon, to_runner, to_job;
    std::vector<double> submit_to_running, submit_command, bare_command, stat_command, test_only_command,
        cancel_command, cancel_beyond_grace, line_lag;
    int lines_missed = 0;
    double round_trip = 0;  // one file-system lookup on the login host, ms
};

// Runs every measurement on `cluster` (up, with every daemon started) as a
// user made for it; throws std::runtime_error when a step fails or takes far too long.
void measure_latencies(test::MultiHostCluster& cluster, const LatencyOptions& options,
                       LatencyFigures& figures);

}  // namespace lobos::bench
