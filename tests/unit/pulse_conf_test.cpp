#include "config/pulse_conf.hpp"

#include <doctest/doctest.h>

#include "tests/unit/config_test_texts.hpp"

using namespace lobos;
using namespace lobos::test;

namespace {
ConfigLoad with_conf(const std::string& conf) { return load(small_nodes, small_topology, conf); }
}  // namespace

TEST_SUITE("config/pulse.conf") {
    TEST_CASE("an empty pulse.conf gives the documented defaults") {
        PulseConfFile f = parse_pulse_conf("", "pulse.conf");
        REQUIRE(f.diagnostics.empty());
        CHECK(f.conf.heartbeat.count() == 1.0);
        CHECK(f.conf.node_timeout.count() == 5.0);
        CHECK(f.conf.link_timeout.count() == 5.0);
        CHECK(f.conf.master_timeout.count() == 5.0);
        CHECK(f.conf.pulse_port == 7311);
        CHECK(f.conf.web_port == 7380);
        CHECK(f.conf.disks == std::vector<std::string>{"/"});
        CHECK(f.conf.key_file == "cluster.key");
        CHECK(f.conf.disk_floor == 100ULL * 1024 * 1024);
    }

    TEST_CASE("the documented default of every keyword is the value an empty file gives") {
        // Writing each documented default explicitly must change nothing.
        std::string text;
        for (const PulseKeyword& k : pulse_keywords())
            text += std::string(k.name) + " " + std::string(k.default_text) + "\n";
        PulseConfFile explicit_defaults = parse_pulse_conf(text, "pulse.conf");
        PulseConfFile empty = parse_pulse_conf("", "pulse.conf");
        REQUIRE(explicit_defaults.diagnostics.empty());
        CHECK(explicit_defaults.conf.heartbeat == empty.conf.heartbeat);
        CHECK(explicit_defaults.conf.node_timeout == empty.conf.node_timeout);
        CHECK(explicit_defaults.conf.link_timeout == empty.conf.link_timeout);
        CHECK(explicit_defaults.conf.master_timeout == empty.conf.master_timeout);
        CHECK(explicit_defaults.conf.pulse_port == empty.conf.pulse_port);
        CHECK(explicit_defaults.conf.web_port == empty.conf.web_port);
        CHECK(explicit_defaults.conf.disks == empty.conf.disks);
        CHECK(explicit_defaults.conf.key_file == empty.conf.key_file);
        CHECK(explicit_defaults.conf.disk_floor == empty.conf.disk_floor);
        CHECK(explicit_defaults.conf.placement == empty.conf.placement);
    }

    TEST_CASE("LoBoS values with a trailing dot and comments are read") {
        PulseConfFile f = parse_pulse_conf(
            "HeartBeat     61     # seconds between heartbeats\nNodeTimeOut   90.\nLinkTimeOut "
            "0.5e3\nMasterTimeOut 90.\n",
            "pulse.conf");
        REQUIRE(f.diagnostics.empty());
        CHECK(f.conf.heartbeat.count() == 61.0);
        CHECK(f.conf.node_timeout.count() == 90.0);
        CHECK(f.conf.link_timeout.count() == 500.0);
    }

    TEST_CASE("fractional heartbeats are allowed for tests and demos") {
        PulseConfFile f = parse_pulse_conf("HeartBeat 0.05\nNodeTimeOut 0.2\n", "pulse.conf");
        REQUIRE(f.diagnostics.empty());
        CHECK(f.conf.heartbeat.count() == doctest::Approx(0.05));
    }

    TEST_CASE("keywords match whatever their case") {
        PulseConfFile f = parse_pulse_conf("heartbeat 2\nNODETIMEOUT 9\n", "pulse.conf");
        REQUIRE(f.diagnostics.empty());
        CHECK(f.conf.heartbeat.count() == 2.0);
        CHECK(f.conf.node_timeout.count() == 9.0);
    }

    TEST_CASE("an unknown keyword is an error that suggests the near one") {
        ConfigLoad r = with_conf(with_line(small_pulse_conf, 3, "LinkTimeout2 2"));
        require_one_error(r, "pulse.conf", 3, "keyword", "LinkTimeout2");
        for (const Diagnostic& d : r.diagnostics)
            if (d.severity == Severity::error) CHECK(d.message.find("LinkTimeOut") != std::string::npos);
    }

    TEST_CASE("Placement keeps the policy's name, and a name no policy has is an error") {
        PulseConfFile f = parse_pulse_conf("HeartBeat 1\nplacement first_fit\n", "pulse.conf");
        REQUIRE(f.diagnostics.empty());
        CHECK(f.conf.placement == "first_fit");
        CHECK(f.conf.placement_line == 2);
        CHECK(parse_pulse_conf("", "pulse.conf").conf.placement == "topology");
        require_one_error(with_conf(with_line(small_pulse_conf, 3, "Placement First-Fit")), "pulse.conf", 3,
                          "Placement", "First-Fit");
        require_one_error(with_conf(with_line(small_pulse_conf, 3, "Placement topology first_fit")),
                          "pulse.conf", 3, "Placement", "first_fit");
        require_one_error(with_conf(with_line(small_pulse_conf, 3, "Placement")), "pulse.conf", 3,
                          "Placement", "");
    }

    TEST_CASE("a keyword without a value is an error") {
        require_one_error(with_conf(with_line(small_pulse_conf, 2, "NodeTimeOut")), "pulse.conf", 2,
                          "NodeTimeOut", "");
    }

    TEST_CASE("a keyword with two values where one is wanted is an error") {
        require_one_error(with_conf(with_line(small_pulse_conf, 2, "NodeTimeOut 2 3")), "pulse.conf", 2,
                          "NodeTimeOut", "3");
    }

    TEST_CASE("a value that is not a number is an error") {
        require_one_error(with_conf(with_line(small_pulse_conf, 1, "HeartBeat fast")), "pulse.conf", 1,
                          "HeartBeat", "fast");
        require_one_error(with_conf(with_line(small_pulse_conf, 1, "HeartBeat 1s")), "pulse.conf", 1,
                          "HeartBeat", "1s");
    }

    TEST_CASE("a non-positive timeout is an error") {
        require_one_error(with_conf(with_line(small_pulse_conf, 2, "NodeTimeOut 0")), "pulse.conf", 2,
                          "NodeTimeOut", "0");
        require_one_error(with_conf(with_line(small_pulse_conf, 4, "MasterTimeOut -5")), "pulse.conf", 4,
                          "MasterTimeOut", "-5");
        require_one_error(with_conf(with_line(small_pulse_conf, 1, "HeartBeat 0.0")), "pulse.conf", 1,
                          "HeartBeat", "0.0");
    }

    TEST_CASE("a timeout no longer than the heartbeat is an error") {
        require_one_error(with_conf(with_line(small_pulse_conf, 3, "LinkTimeOut 0.5")), "pulse.conf", 3,
                          "LinkTimeOut", "0.5");
    }

    TEST_CASE("a keyword given twice is an error on the second line") {
        require_one_error(with_conf(small_pulse_conf + "heartbeat 0.25\n"), "pulse.conf", 5, "HeartBeat",
                          "0.25");
    }

    TEST_CASE("a port outside 1-65535 is an error") {
        require_one_error(with_conf(small_pulse_conf + "PulsePort 70000\n"), "pulse.conf", 5, "PulsePort",
                          "70000");
        require_one_error(with_conf(small_pulse_conf + "WebPort 0\n"), "pulse.conf", 5, "WebPort", "0");
    }

    TEST_CASE("disks are absolute paths, several on one line") {
        PulseConfFile f = parse_pulse_conf("Disks / /scratch /home\n", "pulse.conf");
        REQUIRE(f.diagnostics.empty());
        CHECK(f.conf.disks == std::vector<std::string>{"/", "/scratch", "/home"});
        require_one_error(with_conf(small_pulse_conf + "Disks / scratch\n"), "pulse.conf", 5, "Disks",
                          "scratch");
    }

    TEST_CASE("the disk floor is bytes with an optional K, M, G or T suffix, and 0 is no floor") {
        auto floor = [](const std::string& value) {
            PulseConfFile f = parse_pulse_conf("DiskFloor " + value + "\n", "pulse.conf");
            REQUIRE_MESSAGE(f.diagnostics.empty(), value);
            return f.conf.disk_floor;
        };
        CHECK(floor("0") == 0);
        CHECK(floor("4096") == 4096);
        CHECK(floor("512K") == 512ULL << 10);
        CHECK(floor("100M") == 100ULL << 20);
        CHECK(floor("2g") == 2ULL << 30);
        CHECK(floor("1T") == 1ULL << 40);
        for (const std::string bad :
             {"100MB", "1.5G", "-1", "M", "lots", "99999999999999999999", "17000000T"})
            require_one_error(with_conf(small_pulse_conf + "DiskFloor " + bad + "\n"), "pulse.conf", 5,
                              "DiskFloor", bad);
    }
}
