#pragma once
// Which node set a job gets among those the filter allows: the closest
// (closeness_score: the sum of pairwise hops between the chosen nodes), then
// the least speed-weighted load (load_score), then the lowest CPU numbers
// (the sorted CPU lists compared as words). Exact on small choices, a
// greedy search by seed on large ones.

#include <optional>
#include <vector>

#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/placement_filter.hpp"

namespace lobos {

struct SetScore {
    long hops = 0;          // (a) closeness_score
    double load = 0;        // (b) load_score
    std::vector<int> cpus;  // (c) the CPUs the set gets, sorted
};
// Loads within 1e-9 of each other are equal: sums of the same loads in
// another order must not break a tie.
bool better(const SetScore& a, const SetScore& b);

struct NodeSetChoice {
    std::vector<int> chosen;  // indices into FeasibleOffer::offers, sorted
    SetScore score;
};

// Every allowed set scored exactly: rows of hops between the candidates, one
// search each. For small choices (the tests, the sample cluster).
std::optional<NodeSetChoice> closest_exhaustive(const FeasibleOffer& offer, const ClusterSnapshot& snapshot);

// Greedy by seed: from each candidate NODE0 (seeds by load, then number; a
// seed already inside an earlier seed's set is skipped, as it would grow
// much the same set), grow by the nearest candidates to the seed (ties by
// load, then number), breadth-first and stopping once enough are seen. The
// sets nearest their seeds in total (as many as a work budget allows: all on
// small clusters, two for 128 nodes at 4,096), and the first-fit set, are
// then scored exactly, so the choice is never less close than first-fit.
std::optional<NodeSetChoice> closest_greedy(const FeasibleOffer& offer, const ClusterSnapshot& snapshot);

// The allowed set with the lowest numbers (what place_first_fit takes),
// scored exactly.
std::optional<NodeSetChoice> first_fit_set(const FeasibleOffer& offer, const ClusterSnapshot& snapshot);

// Exhaustive while it is small (at most exhaustive_sets sets and
// exhaustive_rows candidates), greedy beyond.
inline constexpr long exhaustive_sets = 20000;
inline constexpr int exhaustive_rows = 256;
std::optional<NodeSetChoice> closest_set(const FeasibleOffer& offer, const ClusterSnapshot& snapshot);

}  // namespace lobos
