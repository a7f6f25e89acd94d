#include "lobosq/placement/closeness_score.hpp"

#include <random>

#include <doctest/doctest.h>

#include "snapshot_test_cluster.hpp"

using namespace lobos;
using lobos::test::SnapshotCluster;

namespace {

// ClusterConfig::nodes positions of the sample's compute nodes.
constexpr int pe1 = 0, pe2 = 1, pe3 = 2, pe4 = 3;

}  // namespace

TEST_SUITE("closeness score") {
    TEST_CASE("on the sample cluster hops agree with TopologyGraph, through up links only") {
        SnapshotCluster c(test::sample_cluster_config());
        const TopologyGraph graph(c.config());
        for (int round = 0; round < 2; ++round) {
            if (round == 1) {
                c.link_down("pe2", "pe3");
                c.node_down("hub1");
            }
            const ClusterSnapshot s = c.snapshot();
            for (std::size_t a = 0; a < c.config().nodes.size(); ++a) {
                const std::vector<int> row = s.hops.hops_from(static_cast<int>(a));
                for (std::size_t b = 0; b < c.config().nodes.size(); ++b) {
                    const auto expected =
                        graph.hops(c.config().nodes[a].id, c.config().nodes[b].id, s.health);
                    CHECK(row[b] == (expected ? *expected : unreached_hops));
                }
            }
        }
    }

    TEST_CASE("the score is the sum of the hops between every two chosen nodes") {
        SnapshotCluster c(test::sample_cluster_config());
        const ClusterSnapshot s = c.snapshot();
        CHECK(pairwise_hops({pe1}, s.hops) == 0);
        CHECK(pairwise_hops({pe1, pe2}, s.hops) == 1);
        CHECK(pairwise_hops({pe1, pe3}, s.hops) == 2);  // through pe2 or hub1
        CHECK(pairwise_hops({pe1, pe4}, s.hops) == 3);
        CHECK(pairwise_hops({pe1, pe2, pe3}, s.hops) == 1 + 2 + 1);
        CHECK(pairwise_hops({pe4, pe1, pe3, pe2}, s.hops) == 1 + 2 + 3 + 1 + 2 + 1);
    }

    TEST_CASE("a down link lengthens the way, and a pair with no way at all outweighs any real one") {
        SnapshotCluster c(test::sample_cluster_config());
        c.link_down("pe1", "pe2");
        CHECK(pairwise_hops({pe1, pe2}, c.snapshot().hops) == 3);  // pe1-hub1-pe3-pe2
        c.link_down("pe1", "hub1");
        CHECK(pairwise_hops({pe1, pe2}, c.snapshot().hops) == unjoined_pair_hops);
    }

    TEST_CASE("the table form scores the same") {
        const std::vector<std::vector<int>> rows{{0, 1, 2}, {1, 0, 1}, {2, 1, 0}};
        CHECK(pairwise_hops({0, 1, 2}, rows) == 4);
        CHECK(pairwise_hops({0, 2}, rows) == 2);
    }

    TEST_CASE(
        "a search that has seen enough stops after the whole level, so ties at that distance are all seen") {
        SnapshotCluster c(test::sample_cluster_config());
        const ClusterSnapshot s = c.snapshot();
        std::vector<std::pair<int, int>> seen;
        s.hops.search(pe2, [&](int v, int hops) {
            seen.emplace_back(v, hops);
            return true;
        });
        // pe2 at 0 is enough, so only level 0 is visited.
        CHECK(seen == std::vector<std::pair<int, int>>{{pe2, 0}});
        seen.clear();
        s.hops.search(pe2, [&](int v, int hops) {
            seen.emplace_back(v, hops);
            return hops == 1;
        });
        // pe1, pe3 and hub2 are all one hop from pe2.
        CHECK(seen.size() == 4);
        for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].second == 1);
    }
}
