#include "lobosq/placement/closeness_score.hpp"

#include <algorithm>

namespace lobos {

long pairwise_hops(const std::vector<int>& vertices, const HopGraph& graph) {
    if (vertices.size() < 2) return 0;
    const int n = graph.vertices();
    std::vector<int> member(static_cast<std::size_t>(n), -1);
    for (std::size_t i = 0; i < vertices.size(); ++i)
        if (vertices[i] >= 0 && vertices[i] < n)
            member[static_cast<std::size_t>(vertices[i])] = static_cast<int>(i);
    long total = 0;
    for (std::size_t i = 0; i + 1 < vertices.size(); ++i) {
        // Only the pairs (i, j > i) are counted, each once.
        std::size_t wanted = vertices.size() - i - 1;
        std::size_t seen = 0;
        long sum = 0;
        graph.search(
            vertices[i],
            [&](int v, int hops) {
                const int m = member[static_cast<std::size_t>(v)];
                if (m > static_cast<int>(i)) {
                    sum += hops;
                    ++seen;
                }
                return seen == wanted;
            },
            HopGraph::Stop::at_once);
        total += sum + static_cast<long>(wanted - seen) * unjoined_pair_hops;
    }
    return total;
}

long pairwise_hops(const std::vector<int>& chosen, const std::vector<std::vector<int>>& rows) {
    long total = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i)
        for (std::size_t j = i + 1; j < chosen.size(); ++j) {
            const int hops = rows[static_cast<std::size_t>(chosen[i])][static_cast<std::size_t>(chosen[j])];
            total += hops == unreached_hops ? unjoined_pair_hops : hops;
        }
    return total;
}

}  // namespace lobos
