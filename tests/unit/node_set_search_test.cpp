#include "lobosq/placement/node_set_search.hpp"

#include <random>

#include <doctest/doctest.h>

#include "lobosq/placement/closeness_score.hpp"
#include "snapshot_test_cluster.hpp"

using namespace lobos;
using lobos::test::gigabyte;
using lobos::test::SnapshotCluster;

namespace {

// A connected cluster of `compute` nodes c1..cN (2 CPUs each) and up to two
// hubs: a random spanning tree of direct links, a few more links at random,
// some nodes also on a hub, and one master on a random node or hub.
ClusterConfig random_cluster(std::mt19937& random, int compute) {
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(random); };
    ClusterConfig config;
    for (int i = 1; i <= compute; ++i) {
        Node node;
        node.id = i;
        node.name = "c" + std::to_string(i);
        node.ip = "10.0.0." + std::to_string(i);
        node.cpus = 2;
        config.nodes.push_back(node);
    }
    const int hubs = pick(3);
    for (int h = 1; h <= hubs; ++h) {
        Node hub;
        hub.id = 50 + h;
        hub.name = "hub" + std::to_string(h);
        hub.ip = std::string(hub_address);
        config.nodes.push_back(hub);
    }
    Node master;
    master.id = 100;
    master.name = "master1";
    master.ip = "10.0.1.1";
    master.type = 1;
    master.cpus = 2;
    config.nodes.push_back(master);

    auto link = [&](const std::string& a, const std::string& b, LinkKind kind) {
        config.links.push_back(Link{a, b, "", "", kind, 1});
    };
    std::set<std::pair<int, int>> joined;
    auto join = [&](int a, int b) {
        if (a == b || !joined.insert({std::min(a, b), std::max(a, b)}).second) return;
        link(config.nodes[static_cast<std::size_t>(a)].name, config.nodes[static_cast<std::size_t>(b)].name,
             LinkKind::direct);
    };
    for (int i = 1; i < compute; ++i) join(i, pick(i));
    const int extra = pick(compute);
    for (int i = 0; i < extra; ++i) join(pick(compute), pick(compute));
    for (int h = 0; h < hubs; ++h)
        for (int i = 0; i < compute; ++i)
            if (pick(3) == 0)
                link(config.nodes[static_cast<std::size_t>(i)].name, "hub" + std::to_string(h + 1),
                     LinkKind::hub);
    if (hubs > 0 && pick(2) == 0)
        link("master1", "hub1", LinkKind::hub);
    else
        link("master1", "c" + std::to_string(1 + pick(compute)), LinkKind::direct);
    return config;
}

// The fewest pairwise hops over every allowed set, by brute force over
// subsets and TopologyGraph's own distances: independent of the search.
long optimal_hops(const FeasibleOffer& offer, const ClusterSnapshot& s, const TopologyGraph& graph) {
    const int n = static_cast<int>(offer.offers.size());
    long best = -1;
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
        std::vector<int> chosen;
        for (int i = 0; i < n; ++i)
            if (mask & (1u << i)) chosen.push_back(i);
        if (!allowed_set(offer, chosen)) continue;
        long hops = 0;
        for (std::size_t a = 0; a < chosen.size(); ++a)
            for (std::size_t b = a + 1; b < chosen.size(); ++b) {
                auto node = [&](int i) {
                    return s.compute[static_cast<std::size_t>(offer.offers[static_cast<std::size_t>(i)].node)]
                        .node->id;
                };
                const auto h = graph.hops(node(chosen[a]), node(chosen[b]), s.health);
                hops += h ? *h : unjoined_pair_hops;
            }
        if (best < 0 || hops < best) best = hops;
    }
    return best;
}

}  // namespace

TEST_SUITE("node set search") {
    TEST_CASE(
        "on 200 small random graphs the choice is as close as an exhaustive search, and greedy is near") {
        std::mt19937 random(20261123);
        int cases = 0;
        int greedy_worse = 0;
        double worst_ratio = 1;
        while (cases < 200) {
            const int compute = std::uniform_int_distribution<int>(6, 9)(random);
            SnapshotCluster c(random_cluster(random, compute));
            const TopologyGraph graph(c.config());
            std::vector<int> held;
            for (int cpu = 1; cpu <= 2 * compute; ++cpu)
                if (std::uniform_int_distribution<int>(0, 3)(random) == 0) held.push_back(cpu);
            c.hold(held);
            for (const char* name : {"c1", "c2", "c3"})
                c.report(name).load_average =
                    static_cast<float>(std::uniform_int_distribution<int>(0, 2)(random));
            const int tpip = std::uniform_int_distribution<int>(1, 2)(random);
            const int cpus = std::uniform_int_distribution<int>(2, 7)(random);
            std::optional<int> nproc0;
            if (std::uniform_int_distribution<int>(0, 4)(random) == 0)
                nproc0 = std::uniform_int_distribution<int>(1, 2 * compute)(random);

            const ClusterSnapshot s = c.snapshot();
            const auto offer = feasible_offer(PlacementRequest{cpus, cpus, tpip, nproc0},
                                              snapshot_availability(s), s, healthy_cpus(s, gigabyte));
            if (!offer) continue;
            ++cases;
            const long optimum = optimal_hops(*offer, s, graph);
            const auto exact = closest_set(*offer, s);
            const auto exhaustive = closest_exhaustive(*offer, s);
            const auto greedy = closest_greedy(*offer, s);
            const auto first = first_fit_set(*offer, s);
            REQUIRE(exact);
            REQUIRE(exhaustive);
            REQUIRE(greedy);
            CHECK(exact->score.hops == optimum);
            CHECK(exhaustive->score.hops == optimum);
            CHECK(exhaustive->chosen == exact->chosen);
            CHECK(allowed_set(*offer, greedy->chosen));
            CHECK(greedy->score.hops >= optimum);
            if (first) CHECK(greedy->score.hops <= first->score.hops);
            if (greedy->score.hops > optimum) {
                ++greedy_worse;
                worst_ratio = std::max(
                    worst_ratio, static_cast<double>(greedy->score.hops) / static_cast<double>(optimum));
            }
        }
        MESSAGE("greedy less close than optimal in " << greedy_worse << " of " << cases
                                                     << " cases; worst ratio " << worst_ratio);
        // The bound the README states for large clusters, where the search is greedy.
        CHECK(worst_ratio <= 1.5);
        CHECK(greedy_worse <= cases / 5);
    }

    TEST_CASE("the greedy search on the sample cluster finds the SPEC's pairs too") {
        SnapshotCluster c(test::sample_cluster_config());
        const ClusterSnapshot s = c.snapshot();
        auto offer = feasible_offer(PlacementRequest{2, 2, 1, {}}, snapshot_availability(s), s,
                                    healthy_cpus(s, gigabyte));
        REQUIRE(offer);
        auto greedy = closest_greedy(*offer, s);
        REQUIRE(greedy);
        CHECK(greedy->score.cpus == std::vector<int>{1, 3});
        CHECK(greedy->score.hops == 1);
    }

    TEST_CASE("scores compare by closeness, then load, then CPU numbers") {
        CHECK(better(SetScore{1, 5, {7}}, SetScore{2, 0, {1}}));
        CHECK(better(SetScore{1, 0, {7}}, SetScore{1, 1, {1}}));
        CHECK(better(SetScore{1, 1, {1, 3}}, SetScore{1, 1 + 1e-12, {1, 4}}));
        CHECK_FALSE(better(SetScore{1, 1, {1, 4}}, SetScore{1, 1 + 1e-12, {1, 3}}));
    }
}
