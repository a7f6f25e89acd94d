#include "lobosq/scheduler/node_loss.hpp"

namespace lobos {

bool runner_heard_lately(const std::optional<JobTime>& runner_heard, JobClock::duration node_timeout,
                         JobTime now) {
    if (!runner_heard) return false;
    return *runner_heard > now - node_timeout && *runner_heard <= now + node_timeout;
}

namespace {

// Whether node_status's word that `node` is down may be trusted now.
bool writer_has_heard_enough(const NodeSighting& node, const std::optional<JobTime>& writer_listening_since,
                             const NodeLossTimes& times, JobTime now) {
    if (writer_listening_since) return now - *writer_listening_since >= times.node_timeout;
    // Who wrote node_status, and for how long it has listened, is not known:
    // long enough down for any primary to have heard the node, had it lived.
    return node.down_since && now - *node.down_since >= times.node_timeout + times.master_timeout;
}

}  // namespace

NodeLossVerdict judge_node_loss(const std::vector<NodeSighting>& nodes,
                                const std::optional<JobTime>& writer_listening_since,
                                const NodeLossTimes& times, JobTime now) {
    for (const NodeSighting& node : nodes) {
        if (node.up) continue;
        if (runner_heard_lately(node.runner_heard, times.node_timeout, now)) continue;
        if (!writer_has_heard_enough(node, writer_listening_since, times, now)) continue;
        return NodeLossVerdict{true, node.name, "node " + node.name + " went down (node_status)"};
    }
    return {};
}

}  // namespace lobos
