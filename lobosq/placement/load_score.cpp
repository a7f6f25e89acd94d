#include "lobosq/placement/load_score.hpp"

namespace lobos {

double speed_weighted_load(const ComputeNodeView& node) {
    // A compute node with no speed written (0) is taken at the reference
    // speed rather than as infinitely slow.
    const double speed = node.speed > 0 ? node.speed : 1.0;
    return (node.load_average + node.extra_load) / speed;
}

double speed_weighted_load(const ClusterSnapshot& snapshot, const std::vector<int>& nodes) {
    double total = 0;
    for (int n : nodes) total += speed_weighted_load(snapshot.compute[static_cast<std::size_t>(n)]);
    return total;
}

}  // namespace lobos
