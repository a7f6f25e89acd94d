#pragma once
// The commands of `lobosq`, each a function from its arguments to an exit
// code, printing for the user. main() only chooses one.

#include <iosfwd>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "share/io/cluster_root.hpp"

namespace lobos {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;    // the cluster root cannot be used, or the request was refused
inline constexpr int exit_refused = 2;    // a job refused for its script, or bad arguments
inline constexpr int exit_no_answer = 3;  // the queue daemon did not answer in time

// `lobosq < job`: the script on standard input (a `lobosq>` prompt per line
// when it is a terminal).
int submit_job(const ClusterConfig& config, const ClusterPaths& paths, std::istream& in, std::ostream& out,
               std::ostream& err);

// `lobosq --test-only < job`: where and when the job would start now; nothing is queued.
int test_job(const ClusterConfig& config, const ClusterPaths& paths, std::istream& in, std::ostream& out,
             std::ostream& err);

// `lobosq can ID...`
int cancel_jobs(const ClusterConfig& config, const ClusterPaths& paths, const std::vector<std::string>& ids,
                std::ostream& out, std::ostream& err);

// `lobosq stat [ID]`
int show_queue(const ClusterPaths& paths, const std::vector<std::string>& ids, std::ostream& out,
               std::ostream& err);

}  // namespace lobos
