#pragma once
// When the queue fails a running job because node_status shows one of its
// nodes down (issue 12). node_status is only as good as the master that
// wrote it: a pulse that has just started, or a primary cut off from the
// cluster network, shows live nodes down. So a job is failed for a node only
// when
//   - node_status (fresh: the caller checks) shows the node down,
//   - the runner on that node has given no sign of life (runner.alive)
//     within NodeTimeOut: a runner that still writes it is alive, and so is
//     its node, whatever pulse heard, and
//   - the master that wrote node_status has listened to the cluster for at
//     least NodeTimeOut (listening_since of node_detail.json, when that file
//     is the same primary's). When that is not known, the node must have been
//     down for NodeTimeOut + MasterTimeOut by node_status's own time: long
//     enough for a restarted or new primary to have heard it, had it lived.
// Otherwise the queue waits and asks again at its next pass. Pure: every
// time is passed in.

#include <optional>
#include <string>
#include <vector>

#include "lobosq/job/job.hpp"

namespace lobos {

// What the queue knows of one node of a running job.
struct NodeSighting {
    std::string name;
    bool up = false;                      // node_status shows it up
    std::optional<JobTime> down_since;    // node_status's time of the change, when listed down
    std::optional<JobTime> runner_heard;  // the last runner.alive of the node, none when there is none
};

struct NodeLossTimes {
    JobClock::duration node_timeout{};    // NodeTimeOut
    JobClock::duration master_timeout{};  // MasterTimeOut
};

struct NodeLossVerdict {
    bool fail = false;
    std::string node;    // the lost node, when failing
    std::string reason;  // for the job's owner and job.log, when failing
};

// The verdict on one running job, from the nodes of its placement.
// `writer_listening_since`: since when the master that wrote node_status has
// listened to the cluster; none when unknown.
NodeLossVerdict judge_node_loss(const std::vector<NodeSighting>& nodes,
                                const std::optional<JobTime>& writer_listening_since,
                                const NodeLossTimes& times, JobTime now);

// True when `runner_heard` is a sign of life at `now`: within NodeTimeOut
// before it. A time further ahead than NodeTimeOut (a runner's clock far
// off) is no sign, so that a dead runner's file cannot hold a job forever.
bool runner_heard_lately(const std::optional<JobTime>& runner_heard, JobClock::duration node_timeout,
                         JobTime now);

}  // namespace lobos
