#include "config/config_loader.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include <doctest/doctest.h>

#include "config/config_summary.hpp"

using namespace lobos;

namespace {
const std::filesystem::path lobos_sample = std::filesystem::path(LOBOS_SOURCE_DIR) / "config/examples/lobos";
const std::filesystem::path demo = std::filesystem::path(LOBOS_SOURCE_DIR) / "config/examples/demo";
}  // namespace

TEST_SUITE("config loading") {
    TEST_CASE("the LoBoS sample files load with a warning for each link to an unknown host") {
        ConfigLoad r = read_cluster_config(lobos_sample);
        REQUIRE(r.ok());
        const std::string topology = (lobos_sample / "topology").string();
        // pe5 is named second on line 17; pe37..pe40 (the Gigabit hosts) first on lines 22-25.
        std::vector<std::tuple<std::string, int, std::string, std::string>> expected = {
            {topology, 17, "name2", "pe5"},
            {topology, 22, "name1", "pe37"},
            {topology, 23, "name1", "pe38"},
            {topology, 24, "name1", "pe39"},
            {topology, 25, "name1", "pe40"}};
        std::vector<std::tuple<std::string, int, std::string, std::string>> got;
        for (const Diagnostic& d : r.diagnostics) {
            CHECK(d.severity == Severity::warning);
            got.emplace_back(d.file, d.line, d.field, d.value);
        }
        CHECK(got == expected);
    }

    TEST_CASE("the LoBoS sample describes 4 compute nodes, 4 masters and 3 hubs") {
        ClusterConfig c = read_cluster_config(lobos_sample).config;
        REQUIRE(c.nodes.size() == 11);
        CHECK(c.compute_cpus() == 8);
        auto masters = c.masters_by_rank();
        REQUIRE(masters.size() == 4);
        CHECK(masters[0]->name == "master1");
        CHECK(masters[3]->name == "master4");
        CHECK(c.find_node("Gigabit")->is_hub());
        CHECK(c.find_node(69)->name == "hub1");
        CHECK(c.find_node("pe5") == nullptr);
        CHECK(c.pulse.heartbeat.count() == 61.0);
        CHECK(c.pulse.node_timeout.count() == 90.0);
        CHECK(c.pulse.master_timeout.count() == 90.0);
        int topology_links = 0, mesh = 0;
        for (const Link& l : c.links) {
            if (l.kind == LinkKind::master_mesh)
                ++mesh;
            else
                ++topology_links;
        }
        CHECK(topology_links == 15);
        CHECK(mesh == 6);  // 4 masters: every pair
    }

    TEST_CASE("the demo cluster loads without a warning and fits one machine") {
        ConfigLoad r = read_cluster_config(demo);
        REQUIRE(r.ok());
        CHECK(r.diagnostics.empty());
        const ClusterConfig& c = r.config;
        CHECK(c.masters_by_rank().size() >= 2);
        int compute = 0, hubs = 0;
        std::set<std::string> addresses;
        for (const Node& n : c.nodes) {
            if (n.is_hub()) {
                ++hubs;
                continue;
            }
            CHECK(n.ip.starts_with("127."));
            addresses.insert(n.ip);
            if (n.is_compute()) {
                ++compute;
                CHECK(n.cpus == 2);
            }
        }
        CHECK(compute >= 8);
        CHECK(hubs == 2);
        CHECK(addresses.size() == c.nodes.size() - 2);
        CHECK(c.pulse.heartbeat.count() < 1.0);
    }

    TEST_CASE("missing files are errors naming each file, and nothing else is said of them") {
        auto dir = std::filesystem::temp_directory_path() / "lobos-no-such-config-dir";
        std::filesystem::remove_all(dir);
        ConfigLoad r = read_cluster_config(dir);
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.diagnostics.size() == 3);
        CHECK(r.diagnostics[0].file == (dir / "nodes").string());
        CHECK(r.diagnostics[1].file == (dir / "topology").string());
        CHECK(r.diagnostics[2].file == (dir / "pulse.conf").string());
        for (const Diagnostic& d : r.diagnostics) CHECK(d.message.find("cannot read") != std::string::npos);
    }

    TEST_CASE("the summary names the parts of the cluster and every warning") {
        ConfigLoad r = read_cluster_config(lobos_sample);
        std::string s = config_summary(r.config, r.diagnostics, "sample");
        CHECK(s.find("compute nodes  4: pe1 pe2 pe3 pe4 (8 CPUs)") != std::string::npos);
        CHECK(s.find("masters        4 by rank: 1 master1, 2 master2, 3 master3, 4 master4") !=
              std::string::npos);
        CHECK(s.find("hubs           3: hub1 hub2 Gigabit") != std::string::npos);
        CHECK(s.find("topology:17: warning: name2 'pe5'") != std::string::npos);
        CHECK(s.find("5 warnings") != std::string::npos);
        CHECK(s.find("4 of 4 compute nodes reach a master") != std::string::npos);
    }

    TEST_CASE("the summary names compute nodes that no path joins to a master") {
        ConfigLoad r =
            load_cluster_config({{"nodes",
                                  "1 10.0.0.1 pe1 0 2 1 200 1.0 128 512 1 0.1 0.1 0.1 0.1\n"
                                  "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 1 0.2 0.2 0.2 0.2\n"
                                  "65 10.0.0.65 master1 1 2 1 200 1.0 128 128 1 0.3 0.3 0.3 0.3\n"},
                                 {"topology", "pe1 master1 10.0.0.1 10.0.0.65\n"},
                                 {"pulse.conf", ""}});
        REQUIRE(r.ok());
        std::string s = config_summary(r.config, r.diagnostics, "here");
        CHECK(s.find("1 of 2 compute nodes reach a master with every link up; no path from: pe2") !=
              std::string::npos);
    }
}
