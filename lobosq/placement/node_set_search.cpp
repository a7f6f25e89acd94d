#include "lobosq/placement/node_set_search.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "lobosq/placement/closeness_score.hpp"
#include "lobosq/placement/load_score.hpp"

namespace lobos {

namespace {

constexpr double load_epsilon = 1e-9;
// Work budgets of the greedy search, in vertices queued by searches (a
// search of the 4,096-node benchmark cluster queues 4,226): seeds are grown
// until their searches have queued this many (at least one seed)...
constexpr std::size_t seed_budget = 1 << 16;
// ...and grown sets, nearest their seeds first, are scored exactly (one
// search per node) while the scoring has queued fewer than this (at least
// one set). Small clusters thus try every seed and score every set.
constexpr std::size_t scoring_budget = 1 << 20;

int vertex_of(const FeasibleOffer& offer, const ClusterSnapshot& snapshot, int i) {
    return snapshot.compute[static_cast<std::size_t>(offer.offers[static_cast<std::size_t>(i)].node)].vertex;
}

std::vector<int> snapshot_nodes(const FeasibleOffer& offer, const std::vector<int>& chosen) {
    std::vector<int> nodes;
    for (int i : chosen) nodes.push_back(offer.offers[static_cast<std::size_t>(i)].node);
    return nodes;
}

std::vector<int> sorted_cpus(const FeasibleOffer& offer, const ClusterSnapshot& snapshot,
                             const std::vector<int>& chosen) {
    std::vector<int> cpus = placement_of(offer, snapshot, chosen).cpus;
    std::sort(cpus.begin(), cpus.end());
    return cpus;
}

NodeSetChoice scored(const FeasibleOffer& offer, const ClusterSnapshot& snapshot, std::vector<int> chosen,
                     long hops) {
    std::sort(chosen.begin(), chosen.end());
    SetScore score{hops, speed_weighted_load(snapshot, snapshot_nodes(offer, chosen)),
                   sorted_cpus(offer, snapshot, chosen)};
    return NodeSetChoice{std::move(chosen), std::move(score)};
}

long exact_hops(const FeasibleOffer& offer, const ClusterSnapshot& snapshot, const std::vector<int>& chosen) {
    std::vector<int> vertices;
    for (int i : chosen) vertices.push_back(vertex_of(offer, snapshot, i));
    return pairwise_hops(vertices, snapshot.hops);
}

// C(n, k), saturating at `cap`.
long choose(long n, long k, long cap) {
    if (k < 0 || k > n) return 0;
    k = std::min(k, n - k);
    long result = 1;
    for (long i = 1; i <= k; ++i) {
        result = result * (n - k + i) / i;
        if (result > cap) return cap + 1;
    }
    return result;
}

void keep_better(std::optional<NodeSetChoice>& best, NodeSetChoice candidate) {
    if (!best || better(candidate.score, best->score)) best = std::move(candidate);
}

}  // namespace

bool better(const SetScore& a, const SetScore& b) {
    if (a.hops != b.hops) return a.hops < b.hops;
    if (std::abs(a.load - b.load) > load_epsilon) return a.load < b.load;
    return a.cpus < b.cpus;
}

std::optional<NodeSetChoice> closest_exhaustive(const FeasibleOffer& offer, const ClusterSnapshot& snapshot) {
    const int candidates = static_cast<int>(offer.offers.size());
    const int m = offer.shape.nodes;
    if (m < 1 || m > candidates) return std::nullopt;

    // Hops between every two candidates; one search each, stopping once all are seen.
    std::vector<std::vector<int>> rows;
    if (m > 1) {
        std::vector<int> candidate_of(static_cast<std::size_t>(snapshot.hops.vertices()), -1);
        for (int i = 0; i < candidates; ++i)
            candidate_of[static_cast<std::size_t>(vertex_of(offer, snapshot, i))] = i;
        rows.assign(static_cast<std::size_t>(candidates),
                    std::vector<int>(static_cast<std::size_t>(candidates), unreached_hops));
        for (int i = 0; i < candidates; ++i) {
            int seen = 0;
            snapshot.hops.search(
                vertex_of(offer, snapshot, i),
                [&](int v, int hops) {
                    const int c = candidate_of[static_cast<std::size_t>(v)];
                    if (c >= 0) {
                        rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)] = hops;
                        ++seen;
                    }
                    return seen == candidates;
                },
                HopGraph::Stop::at_once);
        }
    }

    std::optional<NodeSetChoice> best;
    // Sets in lexicographic order of candidate indices.
    std::vector<int> chosen(static_cast<std::size_t>(m));
    std::iota(chosen.begin(), chosen.end(), 0);
    while (true) {
        if (allowed_set(offer, chosen)) {
            const long hops = m > 1 ? pairwise_hops(chosen, rows) : 0;
            // Load and CPUs are worked out only for sets that are as close as the best so far.
            if (!best || hops <= best->score.hops) keep_better(best, scored(offer, snapshot, chosen, hops));
        }
        int i = m - 1;
        while (i >= 0 && chosen[static_cast<std::size_t>(i)] == candidates - m + i) --i;
        if (i < 0) break;
        ++chosen[static_cast<std::size_t>(i)];
        for (int j = i + 1; j < m; ++j)
            chosen[static_cast<std::size_t>(j)] = chosen[static_cast<std::size_t>(j - 1)] + 1;
    }
    return best;
}

std::optional<NodeSetChoice> first_fit_set(const FeasibleOffer& offer, const ClusterSnapshot& snapshot) {
    std::vector<int> chosen;
    if (offer.shape.node0) chosen.push_back(*offer.shape.node0);
    bool short_taken = false;
    for (int i = 0;
         i < static_cast<int>(offer.offers.size()) && static_cast<int>(chosen.size()) < offer.shape.nodes;
         ++i) {
        if (offer.shape.node0 && i == *offer.shape.node0) continue;
        if (offer.offers[static_cast<std::size_t>(i)].short_of_tpip) {
            // Only as the last node.
            if (short_taken || static_cast<int>(chosen.size()) + 1 != offer.shape.nodes) continue;
            short_taken = true;
        }
        chosen.push_back(i);
    }
    if (!allowed_set(offer, chosen)) return std::nullopt;
    return scored(offer, snapshot, chosen, exact_hops(offer, snapshot, chosen));
}

std::optional<NodeSetChoice> closest_greedy(const FeasibleOffer& offer, const ClusterSnapshot& snapshot) {
    const int candidates = static_cast<int>(offer.offers.size());
    const int m = offer.shape.nodes;
    if (m < 1 || m > candidates) return std::nullopt;

    std::vector<double> load(static_cast<std::size_t>(candidates));
    std::vector<int> candidate_of(static_cast<std::size_t>(snapshot.hops.vertices()), -1);
    for (int i = 0; i < candidates; ++i) {
        const auto& node = offer.offers[static_cast<std::size_t>(i)];
        load[static_cast<std::size_t>(i)] =
            speed_weighted_load(snapshot.compute[static_cast<std::size_t>(node.node)]);
        candidate_of[static_cast<std::size_t>(vertex_of(offer, snapshot, i))] = i;
    }
    // Candidates are in number order, so the index breaks ties by number.
    auto lighter = [&](int a, int b) {
        const double la = load[static_cast<std::size_t>(a)];
        const double lb = load[static_cast<std::size_t>(b)];
        if (std::abs(la - lb) > load_epsilon) return la < lb;
        return a < b;
    };

    std::vector<int> seeds;
    if (offer.shape.node0) {
        seeds.push_back(*offer.shape.node0);
    } else {
        for (int i = 0; i < candidates; ++i)
            if (!offer.offers[static_cast<std::size_t>(i)].short_of_tpip) seeds.push_back(i);
        std::sort(seeds.begin(), seeds.end(), lighter);
    }

    struct Grown {
        std::vector<int> chosen;
        long star = 0;  // hops from the seed to the others
    };
    std::vector<Grown> grown;
    std::vector<char> covered(static_cast<std::size_t>(candidates), 0);
    std::vector<std::pair<int, int>> near;  // (hops, candidate), in order of hops
    std::size_t spent = 0;
    for (int seed : seeds) {
        if (covered[static_cast<std::size_t>(seed)]) continue;
        // Seeds come least loaded first: past the budget the rest are not
        // tried, which bounds the time on large clusters.
        if (!grown.empty() && spent >= seed_budget) break;
        near.clear();
        int full = 0;
        bool any_short = false;
        spent += snapshot.hops.search(vertex_of(offer, snapshot, seed), [&](int v, int hops) {
            const int c = candidate_of[static_cast<std::size_t>(v)];
            if (c >= 0 && c != seed) {
                near.emplace_back(hops, c);
                if (offer.offers[static_cast<std::size_t>(c)].short_of_tpip)
                    any_short = true;
                else
                    ++full;
            }
            return full >= m - 1 || (any_short && full >= m - 2);
        });
        // The search gives them by hops; only the last level can hold more
        // than are needed, so only it is ordered, and only as far as needed.
        if (!near.empty()) {
            const int last = near.back().first;
            auto level =
                std::find_if(near.begin(), near.end(), [&](const auto& e) { return e.first == last; });
            // Nodes short of TPIP may be passed over: then the whole level is ordered.
            const auto wanted =
                any_short ? near.end() - level : std::min<std::ptrdiff_t>(near.end() - level, m);
            std::partial_sort(level, level + wanted, near.end(),
                              [&](const auto& a, const auto& b) { return lighter(a.second, b.second); });
        }
        Grown g{{seed}, 0};
        bool short_taken = false;
        for (const auto& [hops, c] : near) {
            if (static_cast<int>(g.chosen.size()) == m) break;
            if (offer.offers[static_cast<std::size_t>(c)].short_of_tpip) {
                if (short_taken) continue;
                short_taken = true;
            }
            g.chosen.push_back(c);
            g.star += hops;
        }
        if (static_cast<int>(g.chosen.size()) < m) continue;
        for (int c : g.chosen) covered[static_cast<std::size_t>(c)] = 1;
        grown.push_back(std::move(g));
    }

    // The sets nearest their seeds are scored exactly, with first-fit's.
    std::stable_sort(grown.begin(), grown.end(),
                     [](const Grown& a, const Grown& b) { return a.star < b.star; });
    std::optional<NodeSetChoice> best = first_fit_set(offer, snapshot);
    // Scoring a set costs at most one whole-graph search per node.
    const std::size_t set_cost =
        static_cast<std::size_t>(m) * static_cast<std::size_t>(snapshot.hops.vertices());
    std::size_t scoring = 0;
    for (std::size_t i = 0; i < grown.size() && (i == 0 || scoring < scoring_budget);
         ++i, scoring += set_cost) {
        if (!allowed_set(offer, grown[i].chosen)) continue;
        keep_better(best,
                    scored(offer, snapshot, grown[i].chosen, exact_hops(offer, snapshot, grown[i].chosen)));
    }
    return best;
}

std::optional<NodeSetChoice> closest_set(const FeasibleOffer& offer, const ClusterSnapshot& snapshot) {
    const long candidates = static_cast<long>(offer.offers.size());
    const long m = offer.shape.nodes;
    // Counted without NPROC0's help: the enumeration walks every m-set and
    // keeps those holding NODE0.
    const long sets = choose(candidates, m, exhaustive_sets);
    if (sets <= exhaustive_sets && (m == 1 || candidates <= exhaustive_rows))
        return closest_exhaustive(offer, snapshot);
    return closest_greedy(offer, snapshot);
}

}  // namespace lobos
