#include "share/formats/cpu_numbering.hpp"

#include <filesystem>

#include <doctest/doctest.h>

#include "config/config_loader.hpp"

using namespace lobos;

namespace {

Node host(std::string name, int type, int cpus, std::string ip = "10.0.0.1") {
    Node node;
    node.name = std::move(name);
    node.type = type;
    node.cpus = cpus;
    node.ip = std::move(ip);
    return node;
}

}  // namespace

TEST_SUITE("cpu numbering") {
    TEST_CASE("the LoBoS sample numbers pe1's CPUs 1,2 and pe2's 3,4, as job_status does") {
        ConfigLoad load =
            read_cluster_config(std::filesystem::path(LOBOS_SOURCE_DIR) / "config/examples/lobos");
        REQUIRE(load.ok());
        std::vector<CpuSlot> cpus = number_cpus(load.config);
        // pe1..pe4 with 2 CPUs each; the masters and hubs have no numbers.
        std::vector<CpuSlot> expected{{1, "pe1", 0}, {2, "pe1", 1}, {3, "pe2", 0}, {4, "pe2", 1},
                                      {5, "pe3", 0}, {6, "pe3", 1}, {7, "pe4", 0}, {8, "pe4", 1}};
        CHECK(cpus == expected);
        CHECK(static_cast<int>(cpus.size()) == load.config.compute_cpus());
    }

    TEST_CASE("masters and hubs get no numbers wherever they are in config/nodes") {
        ClusterConfig config;
        config.nodes = {
            host("master1", 1, 4), host("n1", 0, 1),      host("hub1", 0, 0, std::string(hub_address)),
            host("n2", 0, 3),      host("master2", 2, 2), host("n3", 0, 0),
            host("n4", 0, 1)};
        std::vector<CpuSlot> cpus = number_cpus(config);
        REQUIRE(cpus.size() == 5);
        for (std::size_t i = 0; i < cpus.size(); ++i) CHECK(cpus[i].number == static_cast<int>(i) + 1);
        CHECK(cpus[0] == CpuSlot{1, "n1", 0});
        CHECK(cpus[1] == CpuSlot{2, "n2", 0});
        CHECK(cpus[3] == CpuSlot{4, "n2", 2});
        CHECK(cpus[4] == CpuSlot{5, "n4", 0});
    }

    TEST_CASE("a cluster without compute nodes has no CPUs to number") {
        ClusterConfig config;
        config.nodes = {host("master1", 1, 2)};
        CHECK(number_cpus(config).empty());
    }

    TEST_CASE("a CPU list is written as job_status writes it and reads back") {
        CHECK(format_cpu_list({1, 3}) == "1,3");
        CHECK(format_cpu_list({7}) == "7");
        CHECK(format_cpu_list({}) == "");
        for (std::vector<int> cpus : {std::vector<int>{1, 3}, {2, 4, 6, 8}, {128}, {}}) {
            CAPTURE(format_cpu_list(cpus));
            CHECK(parse_cluster_cpu_list(format_cpu_list(cpus)) == cpus);
        }
    }

    TEST_CASE("a CPU list with anything but positive whole numbers is refused") {
        for (const char* text : {"0", "-1", "1,,3", ",1", "1,", "1, 3", " 1", "+1", "1;3", "a", "1.5",
                                 "99999999999999999999", "-"}) {
            CAPTURE(text);
            CHECK_FALSE(parse_cluster_cpu_list(text).has_value());
        }
    }
}
