#include "lobosq/placement/placement_filter.hpp"

#include <doctest/doctest.h>

#include "snapshot_test_cluster.hpp"

using namespace lobos;
using lobos::test::gigabyte;
using lobos::test::SnapshotCluster;

namespace {

std::optional<FeasibleOffer> offer(const SnapshotCluster& c, PlacementRequest request) {
    const ClusterSnapshot s = c.snapshot();
    return feasible_offer(request, snapshot_availability(s), s, healthy_cpus(s, gigabyte));
}

std::vector<std::vector<int>> offered_cpus(const FeasibleOffer& o) {
    std::vector<std::vector<int>> cpus;
    for (const NodeOffer& node : o.offers) cpus.push_back(node.cpus);
    return cpus;
}

}  // namespace

TEST_SUITE("placement filter") {
    TEST_CASE("feasible CPUs are healthy and free, grouped by node") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({1});
        c.node_down("pe3");
        auto o = offer(c, PlacementRequest{2, 2, 1, {}});
        REQUIRE(o);
        CHECK(offered_cpus(*o) == std::vector<std::vector<int>>{{2}, {3, 4}, {7, 8}});
        CHECK(o->shape.cpus == 2);
        CHECK(o->shape.nodes == 2);
        CHECK(o->shape.last_take == 1);
    }

    TEST_CASE("a CPU free in the snapshot but busy in the queue's view is not feasible") {
        SnapshotCluster c(test::sample_cluster_config());
        const ClusterSnapshot s = c.snapshot();
        CpuAvailability available = snapshot_availability(s);
        available.free[0] = false;
        available.up_nodes.erase("pe4");
        auto o = feasible_offer(PlacementRequest{1, 1, 1, {}}, available, s, healthy_cpus(s, gigabyte));
        REQUIRE(o);
        CHECK(offered_cpus(*o) == std::vector<std::vector<int>>{{2}, {3, 4}, {5, 6}});
    }

    TEST_CASE("TPIP 2 needs nodes with two feasible CPUs; one short node may be the last, taking fewer") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({1});
        SUBCASE("an even count leaves out the node with one CPU") {
            auto o = offer(c, PlacementRequest{4, 4, 2, {}});
            REQUIRE(o);
            CHECK(o->shape.nodes == 2);
            CHECK(o->shape.last_take == 2);
            CHECK(offered_cpus(*o) == std::vector<std::vector<int>>{{3, 4}, {5, 6}, {7, 8}});
        }
        SUBCASE("an odd count may use it as the node that takes one") {
            auto o = offer(c, PlacementRequest{3, 3, 2, {}});
            REQUIRE(o);
            CHECK(o->shape.nodes == 2);
            CHECK(o->shape.last_take == 1);
            REQUIRE(o->offers.size() == 4);
            CHECK(o->offers[0].short_of_tpip);
            CHECK(allowed_set(*o, {0, 1}));
            CHECK(allowed_set(*o, {1, 2}));
            CHECK_FALSE(allowed_set(*o, {0}));
        }
        SUBCASE("seven CPUs: three nodes of two and the short one") {
            auto o = offer(c, PlacementRequest{7, 7, 2, {}});
            REQUIRE(o);
            CHECK(o->shape.nodes == 4);
            CHECK(o->shape.last_take == 1);
        }
        SUBCASE("eight is more than the shape allows with CPU 1 held") {
            CHECK_FALSE(offer(c, PlacementRequest{8, 8, 2, {}}));
        }
    }

    TEST_CASE("a range takes as many as the shape allows now, up to high, at least low") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({1, 2, 3});
        SUBCASE("TPIP 1: one CPU on each of the three nodes with any") {
            auto o = offer(c, PlacementRequest{2, 8, 1, {}});
            REQUIRE(o);
            CHECK(o->shape.cpus == 3);
        }
        SUBCASE("TPIP 2: two on pe3 and pe4, one on pe2") {
            auto o = offer(c, PlacementRequest{2, 8, 2, {}});
            REQUIRE(o);
            CHECK(o->shape.cpus == 5);
            CHECK(o->shape.nodes == 3);
        }
        SUBCASE("capped at high") {
            auto o = offer(c, PlacementRequest{1, 2, 2, {}});
            REQUIRE(o);
            CHECK(o->shape.cpus == 2);
            CHECK(o->shape.nodes == 1);
        }
        SUBCASE("not started below low") { CHECK_FALSE(offer(c, PlacementRequest{4, 8, 1, {}})); }
    }

    TEST_CASE("NPROC0 fixes NODE0, which must be feasible and take its TPIP share") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({5});
        SUBCASE("a free CPU names its node") {
            auto o = offer(c, PlacementRequest{2, 2, 1, 4});
            REQUIRE(o);
            REQUIRE(o->shape.node0);
            CHECK(o->offers[static_cast<std::size_t>(*o->shape.node0)].cpus == std::vector<int>{3, 4});
            CHECK_FALSE(allowed_set(*o, {0, 2}));
            CHECK(allowed_set(*o, {0, 1}));
        }
        SUBCASE("a held CPU cannot be NODE0's") { CHECK_FALSE(offer(c, PlacementRequest{2, 2, 1, 5})); }
        SUBCASE("NODE0 with one free CPU cannot take TPIP 2") {
            CHECK_FALSE(offer(c, PlacementRequest{4, 4, 2, 6}));
        }
        SUBCASE("a CPU number the cluster does not have") {
            CHECK_FALSE(offer(c, PlacementRequest{1, 1, 1, 99}));
        }
    }

    TEST_CASE("a set's CPUs: NODE0 first, the lowest free numbers on each node, the node taking fewer last") {
        SnapshotCluster c(test::sample_cluster_config());
        const ClusterSnapshot s = c.snapshot();
        auto place = [&](PlacementRequest request, std::vector<int> chosen) {
            auto o = feasible_offer(request, snapshot_availability(s), s, healthy_cpus(s, gigabyte));
            REQUIRE(o);
            return placement_of(*o, s, std::move(chosen));
        };
        CHECK(place({2, 2, 1, {}}, {1, 0}).cpus == std::vector<int>{1, 3});
        CHECK(place({3, 3, 2, {}}, {2, 0}).cpus == std::vector<int>{1, 2, 5});
        CHECK(place({3, 3, 2, 6}, {2, 0}).cpus == std::vector<int>{6, 5, 1});
        const Placement p = place({4, 4, 2, 8}, {3, 1});
        CHECK(p.cpus == std::vector<int>{8, 7, 3, 4});
        CHECK(p.nodes == std::vector<std::string>{"pe4", "pe4", "pe2", "pe2"});
    }
}
