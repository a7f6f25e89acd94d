#pragma once
// Score (a) of topology-aware placement: how close a job's nodes are in the
// link graph. Exactly: the sum, over every unordered pair of distinct nodes
// chosen, of the fewest hops between the two through up links and up
// vertices (hubs count as vertices: pe1-hub1-pe3 is 2 hops). Lower is
// closer; one node alone scores 0. A CPU count per node does not weigh in:
// the TPIP CPUs of one node talk through memory, not links.

#include <vector>

#include "lobosq/placement/hop_graph.hpp"

namespace lobos {

// What a pair with no up path between them adds: more than any real path,
// so a split set always loses to a joined one.
inline constexpr long unjoined_pair_hops = 1L << 20;

// `vertices`: HopGraph vertices (ClusterConfig::nodes positions) of the
// chosen nodes. One search per node, each stopping once it has seen every
// other chosen node.
long pairwise_hops(const std::vector<int>& vertices, const HopGraph& graph);

// The same from a table of hops between candidates: rows[i][j] is the hops
// from candidate i to candidate j (unreached_hops when none), `chosen`
// indexes it. For searches that score many sets of few candidates.
long pairwise_hops(const std::vector<int>& chosen, const std::vector<std::vector<int>>& rows);

}  // namespace lobos
