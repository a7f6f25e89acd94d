#include "lobosq/placement/topology_placement.hpp"

#include <doctest/doctest.h>

#include "lobosq/scheduler/job_queue.hpp"
#include "snapshot_test_cluster.hpp"

using namespace lobos;
using lobos::test::gigabyte;
using lobos::test::SnapshotCluster;

namespace {

using Cpus = std::vector<int>;

}  // namespace

TEST_SUITE("topology-aware placement") {
    TEST_CASE("on the idle sample cluster a 2-CPU TPIP 1 job gets 1,3 and the next one 2,4, as in the SPEC") {
        SnapshotCluster c(test::sample_cluster_config());
        auto first = c.place(2, 2);
        REQUIRE(first);
        CHECK(first->cpus == Cpus{1, 3});
        CHECK(first->nodes == std::vector<std::string>{"pe1", "pe2"});
        c.hold(first->cpus);
        auto second = c.place(2, 2);
        REQUIRE(second);
        CHECK(second->cpus == Cpus{2, 4});
        c.hold(second->cpus);
        // pe3 and pe4 are the last pair joined by a direct link.
        CHECK(c.place(2, 2)->cpus == Cpus{5, 7});
    }

    TEST_CASE("the pair chosen is the closest, not the lowest-numbered") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({3, 4});
        // First-fit would take 1,5 (pe1-pe3, 2 hops); pe3-pe4 is one.
        CHECK(c.place(2, 2)->cpus == Cpus{5, 7});
        c.node_down("pe3");
        // pe1-pe4 is 3 hops (pe1-pe2-hub2-pe4) with pe3 gone, the only pair left.
        CHECK(c.place(2, 2)->cpus == Cpus{1, 7});
        CHECK_FALSE(c.place(3, 3));
    }

    TEST_CASE("a down node's CPUs are never given") {
        SnapshotCluster c(test::sample_cluster_config());
        c.node_down("pe2");
        auto p = c.place(2, 2);
        REQUIRE(p);
        CHECK(p->cpus == Cpus{5, 7});  // pe3-pe4 is the only direct pair left
        CHECK_FALSE(c.place(7, 7));
    }

    TEST_CASE("a down link that cuts a group off from the masters keeps those CPUs back") {
        SnapshotCluster c(test::sample_cluster_config());
        c.link_down("pe2", "pe3");
        c.link_down("pe3", "hub1");
        c.link_down("pe4", "hub2");
        auto p = c.place(2, 4, 1);
        REQUIRE(p);
        CHECK(p->cpus == Cpus{1, 3});
        CHECK(c.place(4, 4, 2)->cpus == Cpus{1, 2, 3, 4});
        CHECK_FALSE(c.place(5, 5, 2));
        CHECK_FALSE(c.place(1, 1, 1, 5));
    }

    TEST_CASE("a node with a full disk gives no CPUs") {
        SnapshotCluster c(test::sample_cluster_config());
        c.report("pe1").disks[0].free_bytes = gigabyte / 2;
        CHECK(c.place(2, 2)->cpus == Cpus{3, 5});
        CHECK(c.place(2, 2, 1, {}, gigabyte / 4)->cpus == Cpus{1, 3});
    }

    TEST_CASE("an offline CPU is not given; its node can still take TPIP 1") {
        SnapshotCluster c(test::sample_cluster_config());
        c.report("pe1").cpus[0].online = false;
        CHECK(c.place(2, 2)->cpus == Cpus{2, 3});
        CHECK(c.place(4, 4, 2)->cpus == Cpus{3, 4, 5, 6});
    }

    TEST_CASE("TPIP 2 puts two CPUs on each node, neighbours first") {
        SnapshotCluster c(test::sample_cluster_config());
        auto p = c.place(4, 4, 2);
        REQUIRE(p);
        CHECK(p->cpus == Cpus{1, 2, 3, 4});
        CHECK(p->nodes == std::vector<std::string>{"pe1", "pe1", "pe2", "pe2"});
        c.hold(p->cpus);
        CHECK(c.place(4, 4, 2)->cpus == Cpus{5, 6, 7, 8});
    }

    TEST_CASE("TPIP 2 with an odd count: the last node takes one") {
        SnapshotCluster c(test::sample_cluster_config());
        CHECK(c.place(3, 3, 2)->cpus == Cpus{1, 2, 3});
        c.hold({1});
        // pe1 with one free CPU is the node taking fewer, one hop from pe2.
        CHECK(c.place(3, 3, 2)->cpus == Cpus{3, 4, 2});
    }

    TEST_CASE("NPROC0 makes its node NODE0 and the rest gathers around it") {
        SnapshotCluster c(test::sample_cluster_config());
        auto p = c.place(2, 2, 1, 8);
        REQUIRE(p);
        CHECK(p->cpus == Cpus{8, 5});
        CHECK(p->node0() == "pe4");
        CHECK(c.place(4, 4, 2, 6)->cpus == Cpus{6, 5, 3, 4});
        c.hold({7});
        CHECK_FALSE(c.place(2, 2, 1, 7));
    }

    TEST_CASE("a range takes what is free up to high, at least low") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({1, 2, 3, 5});
        CHECK(c.place(2, 8)->cpus == Cpus{4, 6, 7});
        CHECK(c.place(2, 2)->cpus == Cpus{4, 6});
        CHECK_FALSE(c.place(4, 8));
        CHECK(c.place(1, 8, 2)->cpus == Cpus{7, 8, 6});  // pe3, one hop from pe4, takes one
    }

    TEST_CASE(
        "a node just given work counts extra load until its next report, so equally close pairs elsewhere "
        "win") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({1, 3});
        c.dispatches.push_back({"pe1", 1, SnapshotCluster::reported + std::chrono::seconds(1)});
        c.dispatches.push_back({"pe2", 1, SnapshotCluster::reported + std::chrono::seconds(1)});
        CHECK(c.place(2, 2)->cpus == Cpus{5, 7});
        SUBCASE("fresh reports clear it") {
            for (NodeDetail& d : c.details)
                d.last_heard = SnapshotCluster::reported + std::chrono::seconds(2);
            CHECK(c.place(2, 2)->cpus == Cpus{2, 4});
        }
    }

    TEST_CASE("closeness comes before load") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({1, 3});
        c.node_down("pe4");
        c.dispatches.push_back({"pe2", 1, SnapshotCluster::reported + std::chrono::seconds(1)});
        // pe1-pe3 (2 hops) carries no load, but pe1-pe2 and pe2-pe3 are one hop.
        CHECK(c.place(2, 2)->cpus == Cpus{2, 4});
    }

    TEST_CASE("a faster node counts less of the same load") {
        ClusterConfig config = test::sample_cluster_config();
        config.nodes[2].speed = 4.0;  // pe3
        SnapshotCluster c(std::move(config));
        for (const char* node : {"pe1", "pe2", "pe3", "pe4"}) c.report(node).load_average = 1;
        // pe2-pe3 scores 1 + 0.25 against 2 for pe1-pe2 and 1.25 for pe3-pe4: pe2 has the lower numbers.
        CHECK(c.place(2, 2)->cpus == Cpus{3, 5});
    }

    TEST_CASE("the policy stands in for first-fit in the queue") {
        SnapshotCluster c(test::sample_cluster_config());
        c.node_down("pe1");
        auto snapshot = std::make_shared<const ClusterSnapshot>(c.snapshot());
        const PlacementPolicy policy = topology_aware_policy(snapshot, gigabyte);
        CpuAvailability available = snapshot_availability(*snapshot);
        CHECK(policy(PlacementRequest{2, 2, 1, {}}, available)->cpus == Cpus{3, 5});
        // The queue's own view of busy CPUs is honoured as well as the snapshot's.
        available.free[2] = false;
        CHECK(policy(PlacementRequest{2, 2, 1, {}}, available)->cpus == Cpus{4, 5});
        CHECK_FALSE(
            place_topology_aware(PlacementRequest{1, 1, 1, {}}, available, TopologyPlacementContext{}));
    }
}
