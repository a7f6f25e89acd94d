#pragma once
// Score (b) of topology-aware placement, the tie-break between equally close
// node sets: the least speed-weighted load. A node's load is its reported
// 1-minute load average plus the extra load of work it was given since
// (dshd's rule: until a fresher report, a node just given N CPUs counts N
// more), divided by its relative speed from config/nodes: a node twice as
// fast finishes its queue of runnable work in half the time.

#include <vector>

#include "lobosq/placement/cluster_snapshot.hpp"

namespace lobos {

double speed_weighted_load(const ComputeNodeView& node);

// The sum over `nodes` (indices into ClusterSnapshot::compute). Summed, not
// averaged: sets being compared have the same number of nodes.
double speed_weighted_load(const ClusterSnapshot& snapshot, const std::vector<int>& nodes);

}  // namespace lobos
