#pragma once
// The link graph of one moment as a compact adjacency list (up vertices, up
// links), for the many hop counts placement asks. TopologyGraph answers one
// question a search and keeps Boost.Graph inside; placement asks hundreds of
// distances per job (one search per chosen node) and must stay within a few
// milliseconds at 4,096 nodes, so it searches this flat copy instead, and may
// stop a search early once it has seen enough.

#include <cstdint>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/topology_graph.hpp"

namespace lobos {

inline constexpr int unreached_hops = -1;

class HopGraph {
public:
    HopGraph() = default;
    // Vertices are ClusterConfig::nodes positions. Down vertices and down
    // links are left out, so every path is through up links only; hubs are
    // vertices (pe1-hub1-pe3 is 2 hops), as in TopologyGraph::hops.
    HopGraph(const ClusterConfig& config, const LinkHealth& health);

    int vertices() const { return static_cast<int>(first_.empty() ? 0 : first_.size() - 1); }

    // Hops from `from` to every vertex (unreached_hops where no up path).
    std::vector<int> hops_from(int from) const;

    // When a search that has seen enough stops: after the whole level, so
    // that every tie at that distance is seen (growing a set by distance), or
    // at once (when only the vertices asked for matter).
    enum class Stop { after_level, at_once };

    // Breadth-first from `from`, calling visit(vertex, hops) for every vertex
    // reached, nearest first, until visit returns true ("enough") and `stop`
    // says so. Returns how many vertices it queued: its cost. Searches of one
    // graph share scratch space, so they must not run at the same time.
    template <class Visit>
    std::size_t search(int from, Visit&& visit, Stop stop = Stop::after_level) const;

private:
    std::vector<int> first_;  // CSR: neighbours of v are next_[first_[v] .. first_[v + 1])
    std::vector<int> next_;
    std::vector<char> up_;            // vertex up
    mutable std::vector<int> hops_;   // scratch, unreached_hops between searches
    mutable std::vector<int> queue_;  // scratch
};

template <class Visit>
std::size_t HopGraph::search(int from, Visit&& visit, Stop stop) const {
    if (from < 0 || from >= vertices() || !up_[static_cast<std::size_t>(from)]) return 0;
    queue_.clear();
    queue_.push_back(from);
    hops_[static_cast<std::size_t>(from)] = 0;
    bool enough = false;
    int level = 0;
    std::size_t head = 0;
    for (; head < queue_.size(); ++head) {
        const int v = queue_[head];
        const int h = hops_[static_cast<std::size_t>(v)];
        if (h != level) {
            if (enough) break;
            level = h;
        }
        if (visit(v, h)) {
            if (stop == Stop::at_once) break;
            enough = true;
        }
        for (int e = first_[static_cast<std::size_t>(v)]; e < first_[static_cast<std::size_t>(v) + 1]; ++e) {
            const int w = next_[static_cast<std::size_t>(e)];
            if (hops_[static_cast<std::size_t>(w)] != unreached_hops) continue;
            hops_[static_cast<std::size_t>(w)] = h + 1;
            queue_.push_back(w);
        }
    }
    // Leave the scratch clean for the next search: only what was queued was touched.
    for (int v : queue_) hops_[static_cast<std::size_t>(v)] = unreached_hops;
    return queue_.size();
}

}  // namespace lobos
