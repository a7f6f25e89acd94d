#include "lobosq/placement/load_score.hpp"

#include <doctest/doctest.h>

#include "snapshot_test_cluster.hpp"

using namespace lobos;

TEST_SUITE("load score") {
    TEST_CASE("a node's load is its load average plus its extra load, divided by its speed") {
        ComputeNodeView node;
        node.load_average = 1.5;
        node.extra_load = 2;
        node.speed = 2.0;
        CHECK(speed_weighted_load(node) == doctest::Approx(1.75));
    }

    TEST_CASE("a node with no speed written is taken at the reference speed") {
        ComputeNodeView node;
        node.load_average = 3;
        node.speed = 0;
        CHECK(speed_weighted_load(node) == doctest::Approx(3));
    }

    TEST_CASE("a set's load is the sum over its nodes") {
        test::SnapshotCluster c(test::sample_cluster_config());
        c.report("pe1").load_average = 1;
        c.report("pe3").load_average = 0.5f;
        c.dispatches.push_back({"pe3", 2, test::SnapshotCluster::reported + std::chrono::seconds(1)});
        const ClusterSnapshot s = c.snapshot();
        CHECK(speed_weighted_load(s, {0, 2}) == doctest::Approx(3.5));
        CHECK(speed_weighted_load(s, {1, 3}) == doctest::Approx(0));
    }
}
