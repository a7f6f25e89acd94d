#include "config/nodes_file.hpp"

#include <doctest/doctest.h>

#include "tests/unit/config_test_texts.hpp"

using namespace lobos;
using namespace lobos::test;

TEST_SUITE("config/nodes") {
    TEST_CASE("a valid nodes file gives every host with its fields") {
        NodesFile f = parse_nodes(small_nodes, "nodes");
        REQUIRE(f.diagnostics.empty());
        REQUIRE(f.nodes.size() == 4);
        const Node& pe2 = f.nodes[1];
        CHECK(pe2.id == 2);
        CHECK(pe2.ip == "10.0.0.2");
        CHECK(pe2.name == "pe2");
        CHECK(pe2.is_compute());
        CHECK(pe2.cpus == 2);
        CHECK(pe2.clock_mhz == 200);
        CHECK(pe2.speed == doctest::Approx(1.5));
        CHECK(pe2.ram_mb == 128);
        CHECK(pe2.swap_mb == 512);
        CHECK(pe2.links == 2);
        CHECK(pe2.logical.x == doctest::Approx(0.5));
        CHECK(pe2.physical.y == doctest::Approx(0.8));
        CHECK(pe2.line == 3);
        CHECK(f.nodes[2].is_master());
        CHECK(f.nodes[2].master_rank() == 1);
        CHECK(f.nodes[3].is_hub());
        CHECK_FALSE(f.nodes[3].is_compute());
    }

    TEST_CASE("a line with too few fields is an error naming its line") {
        require_one_error(load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6")),
                          "nodes", 3, "fields", "13");
    }

    TEST_CASE("a line with too many fields is an error naming its line") {
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8 extra")),
            "nodes", 3, "fields", "16");
    }

    TEST_CASE("a bad IPv4 address is an error naming the ip field") {
        for (std::string bad :
             {"10.0.0.256", "10.0.0", "10.0.0.1.5", "ten.0.0.1", "10.0.0.-1", "999.999.999.998"}) {
            CAPTURE(bad);
            require_one_error(
                load(with_line(small_nodes, 3, "2 " + bad + " pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
                "nodes", 3, "ip", bad);
        }
    }

    TEST_CASE("a duplicate id is an error on the second line") {
        require_one_error(
            load(with_line(small_nodes, 3, "1 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "id", "1");
    }

    TEST_CASE("a duplicate name is an error on the second line") {
        // The topology names pe2, which is now missing: only a warning.
        ConfigLoad r =
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe1 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8"));
        require_one_error(r, "nodes", 3, "name", "pe1");
    }

    TEST_CASE("two hosts with one address is an error") {
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.1 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "ip", "10.0.0.1");
    }

    TEST_CASE("two masters of one rank is an error on the second of them") {
        // pe2 on line 3 claims rank 1 first, so master1 on line 4 is the duplicate.
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 1 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 4, "type", "1");
    }

    TEST_CASE("a non-numeric number is an error naming its field") {
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 two 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "CPUs", "two");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 fast 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "speed", "fast");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128MB 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "RAM", "128MB");
        require_one_error(
            load(with_line(small_nodes, 3, "2x 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "id", "2x");
    }

    TEST_CASE("a whole-number field with a fraction is an error") {
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2.5 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "CPUs", "2.5");
    }

    TEST_CASE("a negative number is an error naming its field") {
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 -2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "CPUs", "-2");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 -1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "speed", "-1.0");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 -512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "swap", "-512");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 -1 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "type", "-1");
    }

    TEST_CASE("a position outside 0 to 1 is an error naming lx, ly, px or py") {
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 1.5 0.6 0.7 0.8")),
            "nodes", 3, "lx", "1.5");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 -0.1 0.7 0.8")),
            "nodes", 3, "ly", "-0.1");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 2 0.8")), "nodes",
            3, "px", "2");
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 1.01")),
            "nodes", 3, "py", "1.01");
    }

    TEST_CASE("positions 0 and 1 themselves are inside the map") {
        CHECK(load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0 1 0. 1.0")).ok());
    }

    TEST_CASE("a hub with CPUs is an error") {
        require_one_error(
            load(with_line(small_nodes, 5, "69 999.999.999.999 hub1 0 4 1 0 0.0 0 0 0 0.4 0.4 0.3 0.1")),
            "nodes", 5, "CPUs", "4");
    }

    TEST_CASE("a name with characters unsafe in files and pages is an error") {
        require_one_error(
            load(with_line(small_nodes, 3, "2 10.0.0.2 <pe2> 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8")),
            "nodes", 3, "name", "<pe2>");
    }

    TEST_CASE("a cluster without a master is an error about the whole file") {
        ConfigLoad r = load(with_line(small_nodes, 4, "# master1 retired"), "pe1 pe2 10.0.0.1 10.0.0.2\n");
        require_one_error(r, "nodes", 0, "type", "");
    }

    TEST_CASE("an empty nodes file is an error") {
        ConfigLoad r = load("# nothing yet\n", "");
        REQUIRE_FALSE(r.ok());
        CHECK(r.diagnostics.at(0).file == "nodes");
    }

    TEST_CASE("a compute node without CPUs is a warning, not an error") {
        ConfigLoad r =
            load(with_line(small_nodes, 3, "2 10.0.0.2 pe2 0 0 1 200 1.0 128 512 2 0.5 0.6 0.7 0.8"));
        CHECK(r.ok());
        REQUIRE(r.diagnostics.size() == 1);
        CHECK(r.diagnostics[0].severity == Severity::warning);
        CHECK(r.diagnostics[0].line == 3);
    }

    TEST_CASE("every broken line is reported, not just the first") {
        std::string nodes =
            with_line(small_nodes, 2, "1 10.0.0.300 pe1 0 2 1 200 1.0 128 512 2 0.1 0.2 0.3 0.4");
        nodes = with_line(nodes, 3, "2 10.0.0.2 pe2 0 2 1 200 1.0 128 512 2 0.5 0.6 0.7 7");
        ConfigLoad r = load(nodes, small_topology, "HeartBeat zero\n");
        std::vector<std::pair<std::string, int>> where;
        for (const Diagnostic& d : r.diagnostics)
            if (d.severity == Severity::error) where.emplace_back(d.file, d.line);
        CHECK(where ==
              std::vector<std::pair<std::string, int>>{{"nodes", 2}, {"nodes", 3}, {"pulse.conf", 1}});
    }

    TEST_CASE("comments, blank lines, tabs and CRLF line ends are accepted") {
        std::string nodes =
            "\xEF\xBB\xBF# written on a PC\r\n"
            "\r\n"
            "1\t10.0.0.1 pe1 0 2 1 200 1.0 128 512 2 0.1 0.2 0.3 0.4   # first node\r\n"
            "65 10.0.0.65 master1 1 2 1 200 1.0 128 128 1 0.25 0.85 0.26 0.85\r\n";
        NodesFile f = parse_nodes(nodes, "nodes");
        CHECK(f.diagnostics.empty());
        REQUIRE(f.nodes.size() == 2);
        CHECK(f.nodes[0].name == "pe1");
        CHECK(f.nodes[0].line == 3);
        CHECK(f.nodes[1].physical.y == doctest::Approx(0.85));
    }
}
