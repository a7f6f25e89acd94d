#include <doctest/doctest.h>

#include "config/pulse_conf.hpp"
#include "tests/unit/config_test_texts.hpp"

using namespace lobos;
using namespace lobos::test;

TEST_SUITE("config/pulse.conf WakePort") {
    TEST_CASE("WakePort is PulsePort plus 1000 unless pulse.conf gives it") {
        CHECK(parse_pulse_conf("", "pulse.conf").conf.wake_port == 8311);
        PulseConfFile moved = parse_pulse_conf("PulsePort 9000\n", "pulse.conf");
        REQUIRE(moved.diagnostics.empty());
        CHECK(moved.conf.wake_port == 10000);
        PulseConfFile given = parse_pulse_conf("PulsePort 9000\nWakePort 9500\n", "pulse.conf");
        REQUIRE(given.diagnostics.empty());
        CHECK(given.conf.wake_port == 9500);
    }

    TEST_CASE("a WakePort equal to PulsePort is an error at its line") {
        const ConfigLoad r =
            load(small_nodes, small_topology, small_pulse_conf + "PulsePort 9000\nWakePort 9000\n");
        require_one_error(r, "pulse.conf", 6, "WakePort", "9000");
    }

    TEST_CASE("a WakePort on a hub's multicast port is an error at its line") {
        // hub1 is the first hub: its group listens on PulsePort + 1.
        const ConfigLoad r =
            load(small_nodes, small_topology, small_pulse_conf + "PulsePort 9000\nWakePort 9001\n");
        require_one_error(r, "pulse.conf", 6, "WakePort", "9001");
    }

    TEST_CASE("a PulsePort too high for the default WakePort is an error at its line") {
        const ConfigLoad r = load(small_nodes, small_topology, small_pulse_conf + "PulsePort 65000\n");
        require_one_error(r, "pulse.conf", 5, "PulsePort", "65000");
        const ConfigLoad fixed =
            load(small_nodes, small_topology, small_pulse_conf + "PulsePort 65000\nWakePort 64000\n");
        CHECK(fixed.ok());
    }

    TEST_CASE("WakePort is read like every port") {
        const ConfigLoad r = load(small_nodes, small_topology, small_pulse_conf + "WakePort 70000\n");
        require_one_error(r, "pulse.conf", 5, "WakePort", "70000");
    }
}
