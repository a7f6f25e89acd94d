#include "config/topology_file.hpp"

#include <doctest/doctest.h>

#include "tests/unit/config_test_texts.hpp"

using namespace lobos;
using namespace lobos::test;

TEST_SUITE("config/topology") {
    TEST_CASE("links are read in file order with the hub always second") {
        ConfigLoad r = load(small_nodes);
        REQUIRE(r.ok());
        REQUIRE(r.diagnostics.empty());
        const auto& links = r.config.links;
        REQUIRE(links.size() == 4);  // one master: no master-master link
        CHECK(links[0].name1 == "pe1");
        CHECK(links[0].name2 == "pe2");
        CHECK(links[0].kind == LinkKind::direct);
        CHECK(links[0].line == 2);
        CHECK(links[2].name1 == "pe2");  // written `hub1 pe2`
        CHECK(links[2].name2 == "hub1");
        CHECK(links[2].ip1 == "10.0.0.2");
        CHECK(links[2].kind == LinkKind::hub);
        CHECK(links[3].ip2 == "10.0.0.254");
    }

    TEST_CASE("a link to a host not in the nodes file is a warning naming file, line and host") {
        ConfigLoad r = load(small_nodes, small_topology + "pe2 pe9 10.0.0.2 10.0.0.9\n");
        CHECK(r.ok());
        REQUIRE(r.diagnostics.size() == 1);
        CHECK(r.diagnostics[0].severity == Severity::warning);
        CHECK(r.diagnostics[0].file == "topology");
        CHECK(r.diagnostics[0].line == 6);
        CHECK(r.diagnostics[0].field == "name2");
        CHECK(r.diagnostics[0].value == "pe9");
        CHECK(r.config.links.size() == 4);
    }

    TEST_CASE("a line with the wrong number of fields is an error") {
        require_one_error(load(small_nodes, with_line(small_topology, 2, "pe1 pe2 10.0.0.1")), "topology", 2,
                          "fields", "3");
        require_one_error(load(small_nodes, with_line(small_topology, 2, "pe1 pe2 10.0.0.1 10.0.0.2 up")),
                          "topology", 2, "fields", "5");
    }

    TEST_CASE("a bad address is an error naming IP1 or IP2") {
        require_one_error(load(small_nodes, with_line(small_topology, 2, "pe1 pe2 10.0.0 10.0.0.2")),
                          "topology", 2, "IP1", "10.0.0");
        require_one_error(load(small_nodes, with_line(small_topology, 2, "pe1 pe2 10.0.0.1 10.0.0.2x")),
                          "topology", 2, "IP2", "10.0.0.2x");
    }

    TEST_CASE("a bad address is an error even when a host is unknown") {
        require_one_error(load(small_nodes, with_line(small_topology, 2, "pe1 pe7 10.0.0.1 10.0.0.700")),
                          "topology", 2, "IP2", "10.0.0.700");
    }

    TEST_CASE("a link from a host to itself is an error") {
        require_one_error(load(small_nodes, with_line(small_topology, 2, "pe1 pe1 10.0.0.1 10.0.0.1")),
                          "topology", 2, "name2", "pe1");
    }

    TEST_CASE("the hub marker address on a link between two hosts is an error") {
        require_one_error(load(small_nodes, with_line(small_topology, 2, "pe1 pe2 10.0.0.1 999.999.999.999")),
                          "topology", 2, "IP2", "999.999.999.999");
    }

    TEST_CASE("a duplicated link is a warning and is kept once") {
        ConfigLoad r = load(small_nodes, small_topology + "pe2 pe1 10.0.0.2 10.0.0.1\n");
        CHECK(r.ok());
        REQUIRE(r.diagnostics.size() == 1);
        CHECK(r.diagnostics[0].line == 6);
        CHECK(r.config.links.size() == 4);
    }

    TEST_CASE("masters are joined to each other, higher rank first, unless the topology joins them") {
        std::vector<Node> nodes(3);
        for (int i = 0; i < 3; ++i) {
            nodes[i].id = 65 + i;
            nodes[i].name = "master" + std::to_string(i + 1);
            nodes[i].ip = "10.0.1." + std::to_string(i + 1);
            nodes[i].type = i + 1;
        }
        std::vector<Link> topology = {{"master1", "master3", "10.0.1.1", "10.0.1.3", LinkKind::direct, 1}};
        std::vector<Link> mesh = master_mesh_links(nodes, topology);
        REQUIRE(mesh.size() == 2);
        CHECK(mesh[0].name1 == "master2");
        CHECK(mesh[0].name2 == "master1");
        CHECK(mesh[0].ip1 == "10.0.1.2");
        CHECK(mesh[0].kind == LinkKind::master_mesh);
        CHECK(mesh[1].name1 == "master3");
        CHECK(mesh[1].name2 == "master2");
    }
}
