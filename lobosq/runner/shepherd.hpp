#pragma once
// The shepherd: the process that runs one job on its node and watches it to
// the end. The runner forks it; from then on it is plain blocking code in a
// session of its own, never touching the runner's io_context, and it
// outlives the runner if need be: it writes the job's end to ID.state
// itself. It is a child subreaper, so every process of the job stays in its
// subtree even after daemonizing; a cancel (SIGTERM to the shepherd) ends
// them all, and so does the end of the job's script.

#include <filesystem>

#include "lobosq/job/node_orders.hpp"

namespace lobos {

// Runs in the child the runner forked for `order`, which starts with every
// signal blocked (the runner blocks them around fork so that no handler of
// its own runs here). `go_fd` is the read end of a pipe: the runner writes a
// byte once ID.state names this shepherd, and nothing is started before that;
// at end of file (the runner stopped first) the shepherd leaves without
// starting the job, and the next runner marks it failed. Never returns.
[[noreturn]] void run_shepherd(const StartOrder& order, const std::filesystem::path& node_dir, int go_fd);

}  // namespace lobos
