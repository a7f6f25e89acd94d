#include "lobosq/placement/cluster_snapshot.hpp"

#include <doctest/doctest.h>

#include "snapshot_test_cluster.hpp"

using namespace lobos;
using lobos::test::SnapshotCluster;

TEST_SUITE("cluster snapshot") {
    TEST_CASE("the sample cluster's snapshot lists pe1 to pe4 with CPUs numbered 1 to 8") {
        SnapshotCluster c(test::sample_cluster_config());
        const ClusterSnapshot s = c.snapshot();
        REQUIRE(s.compute.size() == 4);
        CHECK(s.compute[0].name() == "pe1");
        CHECK(s.compute[0].first_cpu == 1);
        CHECK(s.compute[3].first_cpu == 7);
        CHECK(s.cpus.size() == 8);
        CHECK(s.node_of_cpu == std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3});
        CHECK(s.primary_master == 65);
        for (const ComputeNodeView& node : s.compute) {
            CHECK(node.up);
            CHECK(node.reachable);
            CHECK(node.cpu_online == std::vector<bool>{true, true});
            CHECK(node.speed == 1.0);
            CHECK(node.disk_free == std::vector<std::uint64_t>{10 * test::gigabyte});
        }
    }

    TEST_CASE("node_status's down nodes and links become the link health, matched by name") {
        SnapshotCluster c(test::sample_cluster_config());
        c.node_down("pe2");
        c.link_down("pe3", "hub1");
        const LinkHealth health = link_health(c.config(), c.status);
        CHECK(health.down_nodes == std::set<NodeId>{2});
        REQUIRE(health.down_links.size() == 1);
        const Link& link = c.config().links[static_cast<std::size_t>(*health.down_links.begin())];
        CHECK(link.name1 == "pe3");
        CHECK(link.name2 == "hub1");
    }

    TEST_CASE("a host or link that node_status does not list counts as down") {
        SnapshotCluster c(test::sample_cluster_config());
        c.status.nodes.erase(c.status.nodes.begin());  // pe1
        c.status.links.clear();
        const LinkHealth health = link_health(c.config(), c.status);
        CHECK(health.down_nodes.contains(1));
        CHECK(health.down_links.size() == c.config().links.size());
    }

    TEST_CASE("the primary master is the lowest rank that is up, and reachability is counted from it") {
        SnapshotCluster c(test::sample_cluster_config());
        c.node_down("master1");
        const ClusterSnapshot s = c.snapshot();
        CHECK(s.primary_master == 66);
        CHECK(s.compute[0].reachable);
    }

    TEST_CASE("with every master down no node is reachable") {
        SnapshotCluster c(test::sample_cluster_config());
        for (const char* m : {"master1", "master2", "master3", "master4"}) c.node_down(m);
        const ClusterSnapshot s = c.snapshot();
        CHECK_FALSE(s.primary_master);
        for (const ComputeNodeView& node : s.compute) CHECK_FALSE(node.reachable);
    }

    TEST_CASE("load, online CPUs and free disk space come from the node's last report") {
        SnapshotCluster c(test::sample_cluster_config());
        c.report("pe2").load_average = 1.5f;
        c.report("pe2").cpus[1].online = false;
        c.report("pe2").disks.push_back(DiskSample{5, 10});
        const ClusterSnapshot s = c.snapshot();
        CHECK(s.compute[1].load_average == doctest::Approx(1.5));
        CHECK(s.compute[1].cpu_online == std::vector<bool>{true, false});
        CHECK(s.compute[1].disk_free == std::vector<std::uint64_t>{10 * test::gigabyte, 5});
    }

    TEST_CASE("a CPU the report leaves out is not known to be online") {
        SnapshotCluster c(test::sample_cluster_config());
        c.report("pe3").cpus.resize(1);
        CHECK(c.snapshot().compute[2].cpu_online == std::vector<bool>{true, false});
    }

    TEST_CASE("a node without a report yet is taken at its configuration") {
        SnapshotCluster c(test::sample_cluster_config());
        c.details.erase(c.details.begin());  // pe1
        const ClusterSnapshot s = c.snapshot();
        CHECK(s.compute[0].cpu_online == std::vector<bool>{true, true});
        CHECK(s.compute[0].load_average == 0);
        CHECK(s.compute[0].disk_free.empty());
    }

    TEST_CASE("a node just given N CPUs counts N extra load until a report newer than the dispatch arrives") {
        const WallTime heard = SnapshotCluster::reported;
        const std::vector<RecentDispatch> dispatches{
            {"pe1", 2, heard + std::chrono::seconds(1)},
            {"pe1", 1, heard - std::chrono::seconds(1)},  // the report heard since then counts it
            {"pe2", 4, heard + std::chrono::seconds(1)},
        };
        CHECK(extra_load("pe1", heard, dispatches) == 2);
        CHECK(extra_load("pe2", heard, dispatches) == 4);
        CHECK(extra_load("pe3", heard, dispatches) == 0);
        SUBCASE("a report heard before both dispatches clears neither") {
            CHECK(extra_load("pe1", heard - std::chrono::seconds(2), dispatches) == 3);
        }
        SUBCASE("a report heard at the very moment of the dispatch may predate it: it clears nothing") {
            CHECK(extra_load("pe1", heard - std::chrono::seconds(1), dispatches) == 3);
        }
        SUBCASE("a node never heard counts every dispatch") {
            CHECK(extra_load("pe1", std::nullopt, dispatches) == 3);
        }
        SUBCASE("a fresher report clears it") {
            CHECK(extra_load("pe1", heard + std::chrono::seconds(2), dispatches) == 0);
        }
    }

    TEST_CASE("the snapshot carries each node's extra load") {
        SnapshotCluster c(test::sample_cluster_config());
        c.dispatches.push_back({"pe3", 2, SnapshotCluster::reported + std::chrono::milliseconds(10)});
        const ClusterSnapshot s = c.snapshot();
        CHECK(s.compute[2].extra_load == 2);
        CHECK(s.compute[0].extra_load == 0);
    }

    TEST_CASE("a dispatch is forgotten once a report heard after it counts it, or when it is too old") {
        SnapshotCluster c(test::sample_cluster_config());
        const WallTime heard = SnapshotCluster::reported;
        std::vector<RecentDispatch> dispatches{
            {"pe1", 2, heard + std::chrono::seconds(1)},  // newer than pe1's report: still counts
            {"pe1", 1, heard - std::chrono::seconds(1)},  // the report heard since takes it in
            {"pe2", 1, heard},                            // heard at the same moment: may predate it
            {"pe9", 3, heard - std::chrono::seconds(5)},  // no report of its node: kept until too old
        };
        forget_counted_dispatches(dispatches, c.details, heard - std::chrono::seconds(10));
        REQUIRE(dispatches.size() == 3);
        CHECK(dispatches[0].cpus == 2);
        CHECK(dispatches[1].node == "pe2");
        CHECK(dispatches[2].node == "pe9");
        forget_counted_dispatches(dispatches, {}, heard - std::chrono::seconds(2));
        CHECK(dispatches.size() == 2);  // pe9's is given up on; without reports the others stay
    }
}
