#include "share/io/cluster_root.hpp"

#include <doctest/doctest.h>

using namespace lobos;

TEST_SUITE("cluster root") {
    TEST_CASE("the root is /lobos when neither the option nor LOBOS_ROOT is given") {
        ClusterPaths p = resolve_cluster_paths(std::nullopt, std::nullopt, std::nullopt);
        CHECK(p.root == "/lobos");
        CHECK(p.config_dir == "/lobos/config");
        CHECK(p.node_status() == "/lobos/node_status");
        CHECK(p.job_log() == "/lobos/job.log");
    }

    TEST_CASE("LOBOS_ROOT sets the root when --root is not given") {
        ClusterPaths p = resolve_cluster_paths(std::nullopt, std::nullopt, "/srv/cluster");
        CHECK(p.root == "/srv/cluster");
        CHECK(p.config_dir == "/srv/cluster/config");
    }

    TEST_CASE("--root wins over LOBOS_ROOT") {
        ClusterPaths p = resolve_cluster_paths("/tmp/r", std::nullopt, "/srv/cluster");
        CHECK(p.root == "/tmp/r");
        CHECK(p.config_dir == "/tmp/r/config");
    }

    TEST_CASE("--config reads the configuration from elsewhere and leaves the root alone") {
        ClusterPaths p = resolve_cluster_paths(std::nullopt, "/etc/lobos", "/srv/cluster");
        CHECK(p.root == "/srv/cluster");
        CHECK(p.config_dir == "/etc/lobos");
    }

    TEST_CASE("an empty option or variable counts as not given") {
        ClusterPaths p = resolve_cluster_paths("", "", "");
        CHECK(p.root == "/lobos");
        CHECK(p.config_dir == "/lobos/config");
    }
}
