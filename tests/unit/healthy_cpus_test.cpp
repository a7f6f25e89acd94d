#include "lobosq/placement/healthy_cpus.hpp"

#include <doctest/doctest.h>

#include "snapshot_test_cluster.hpp"

using namespace lobos;
using lobos::test::gigabyte;
using lobos::test::SnapshotCluster;

namespace {

std::vector<int> usable(const HealthyCpus& healthy) {
    std::vector<int> numbers;
    for (std::size_t i = 0; i < healthy.usable.size(); ++i)
        if (healthy.usable[i]) numbers.push_back(static_cast<int>(i) + 1);
    return numbers;
}

}  // namespace

TEST_SUITE("healthy cpus") {
    TEST_CASE("on the idle sample cluster every CPU is healthy") {
        SnapshotCluster c(test::sample_cluster_config());
        const HealthyCpus h = healthy_cpus(c.snapshot(), gigabyte);
        CHECK(h.count() == 8);
        for (const NodeHealth& node : h.nodes) CHECK(node.fault == NodeFault::none);
    }

    TEST_CASE("a down node gives none of its CPUs, and says it is down") {
        SnapshotCluster c(test::sample_cluster_config());
        c.node_down("pe2");
        const HealthyCpus h = healthy_cpus(c.snapshot(), gigabyte);
        CHECK(usable(h) == std::vector<int>{1, 2, 5, 6, 7, 8});
        CHECK(h.nodes[1].fault == NodeFault::down);
        CHECK(describe(h.nodes[1].fault) == "down");
    }

    TEST_CASE(
        "a down link that cuts pe3 and pe4 off from the masters keeps their CPUs back though they are up") {
        SnapshotCluster c(test::sample_cluster_config());
        // pe3 and pe4 still hear each other, but no path of up links leads to a master.
        c.link_down("pe2", "pe3");
        c.link_down("pe3", "hub1");
        c.link_down("pe4", "hub2");
        const HealthyCpus h = healthy_cpus(c.snapshot(), gigabyte);
        CHECK(usable(h) == std::vector<int>{1, 2, 3, 4});
        CHECK(h.nodes[2].fault == NodeFault::unreachable);
        CHECK(h.nodes[3].fault == NodeFault::unreachable);
        CHECK(describe(h.nodes[3].fault) == "unreachable");
    }

    TEST_CASE("the faults are told by node, down first, then unreachable; none when all is well") {
        SnapshotCluster c(test::sample_cluster_config());
        CHECK(node_faults(c.snapshot(), healthy_cpus(c.snapshot(), gigabyte)).empty());
        c.node_down("pe1");
        c.link_down("pe2", "pe3");
        c.link_down("pe3", "hub1");
        c.link_down("pe4", "hub2");
        const ClusterSnapshot s = c.snapshot();
        const HealthyCpus h = healthy_cpus(s, gigabyte);
        CHECK(describe_node_faults(node_faults(s, h)) == "pe1 down; pe3, pe4 unreachable");
        CHECK(node_faults(s, h, 1) == NodeFaults{{"down", {"pe1"}, 0}, {"unreachable", {"pe3"}, 1}});
        CHECK(describe_node_faults(node_faults(s, h, 1)) == "pe1 down; pe3 and 1 more unreachable");
    }

    TEST_CASE("a down hub cuts off only the nodes with no other way to a master") {
        SnapshotCluster c(test::sample_cluster_config());
        c.node_down("hub1");
        // pe1 and pe3 reach hub2's masters through their ring neighbours pe2 and pe4.
        CHECK(healthy_cpus(c.snapshot(), gigabyte).count() == 8);
        c.link_down("pe1", "pe2");
        const HealthyCpus h = healthy_cpus(c.snapshot(), gigabyte);
        CHECK(h.nodes[0].fault == NodeFault::unreachable);
        CHECK(h.count() == 6);
    }

    TEST_CASE("a disk at or under the floor stops the whole node") {
        SnapshotCluster c(test::sample_cluster_config());
        c.report("pe1").disks.push_back(DiskSample{gigabyte, 100 * gigabyte});
        const HealthyCpus h = healthy_cpus(c.snapshot(), gigabyte);
        CHECK(usable(h) == std::vector<int>{3, 4, 5, 6, 7, 8});
        CHECK(h.nodes[0].fault == NodeFault::disk_full);
        CHECK(describe(h.nodes[0].fault) == "disk full");
        SUBCASE("one byte above the floor is enough") {
            CHECK(healthy_cpus(c.snapshot(), gigabyte - 1).count() == 8);
        }
        SUBCASE("a floor of 0 is none: even a disk with nothing free does not stop the node") {
            c.report("pe1").disks[1].free_bytes = 0;
            CHECK(healthy_cpus(c.snapshot(), 0).count() == 8);
        }
    }

    TEST_CASE("an offline CPU is not given, its sibling is") {
        SnapshotCluster c(test::sample_cluster_config());
        c.report("pe4").cpus[0].online = false;
        const HealthyCpus h = healthy_cpus(c.snapshot(), gigabyte);
        CHECK(usable(h) == std::vector<int>{1, 2, 3, 4, 5, 6, 8});
        CHECK(h.nodes[3].fault == NodeFault::cpu_offline);
        CHECK(h.nodes[3].offline_cpus == 1);
        CHECK(describe(h.nodes[3].fault) == "CPU offline");
    }

    TEST_CASE("a held CPU is not given and its node is still healthy") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({1, 3});
        const HealthyCpus h = healthy_cpus(c.snapshot(), gigabyte);
        CHECK(usable(h) == std::vector<int>{2, 4, 5, 6, 7, 8});
        CHECK(h.nodes[0].fault == NodeFault::none);
        CHECK(h.nodes[0].held_cpus == 1);
    }

    TEST_CASE("a down node is reported down, not also unreachable or full") {
        SnapshotCluster c(test::sample_cluster_config());
        c.node_down("pe1");
        c.report("pe1").disks[0].free_bytes = 0;
        CHECK(healthy_cpus(c.snapshot(), gigabyte).nodes[0].fault == NodeFault::down);
    }
}
