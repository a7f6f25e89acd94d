#include "lobosq/placement/placement_policies.hpp"

#include <memory>
#include <set>

#include <doctest/doctest.h>

#include "config/placement_names.hpp"
#include "config/pulse_conf.hpp"
#include "lobosq/placement/topology_placement.hpp"
#include "snapshot_test_cluster.hpp"

using namespace lobos;
using lobos::test::SnapshotCluster;

namespace {

using Cpus = std::vector<int>;

std::optional<Placement> place_with(std::string_view name, const SnapshotCluster& c, int low, int high) {
    auto snapshot = std::make_shared<const ClusterSnapshot>(c.snapshot());
    const CpuAvailability available = snapshot_availability(*snapshot);
    const PlacementPolicyKind* kind = find_placement_policy(name);
    REQUIRE(kind);
    const PlacementPolicy policy = kind->make(PlacementInputs{snapshot, test::gigabyte});
    return policy(PlacementRequest{low, high, 1, std::nullopt}, available);
}

}  // namespace

TEST_SUITE("placement policies") {
    TEST_CASE("the default of pulse.conf is the table's first policy, topology") {
        REQUIRE_FALSE(placement_policies().empty());
        CHECK(placement_policies().front().name == "topology");
        CHECK(PulseConf{}.placement == placement_policies().front().name);
        CHECK_FALSE(check_placement_policy(PulseConf{}, "pulse.conf"));
    }

    TEST_CASE("every policy of the table has a distinct name, a meaning and a maker") {
        std::set<std::string_view> names;
        for (const PlacementPolicyKind& kind : placement_policies()) {
            CHECK(names.insert(kind.name).second);
            CHECK_FALSE(kind.meaning.empty());
            const bool has_maker = kind.make != nullptr;
            CHECK(has_maker);
            CHECK(find_placement_policy(kind.name) == &kind);
        }
        CHECK(placement_policy_names() == "topology, first_fit");
    }

    TEST_CASE("topology takes the closest pair and first_fit the lowest numbers on the sample cluster") {
        SnapshotCluster c(test::sample_cluster_config());
        c.hold({3, 4});
        // pe1-pe3 are two hops apart, pe3-pe4 one.
        CHECK(place_with("topology", c, 2, 2)->cpus == Cpus{5, 7});
        CHECK(place_with("first_fit", c, 2, 2)->cpus == Cpus{1, 5});
    }

    TEST_CASE("the names pulse.conf accepts are exactly the table's, in its order") {
        std::vector<std::string_view> table;
        for (const PlacementPolicyKind& kind : placement_policies()) table.push_back(kind.name);
        CHECK(table == std::vector<std::string_view>(placement_policy_names_accepted.begin(),
                                                     placement_policy_names_accepted.end()));
    }

    TEST_CASE("a name pulse.conf gives that is not in the table is an error naming file, line and value") {
        PulseConfFile f = parse_pulse_conf("HeartBeat 1\nPlacement best_fit\n", "conf/pulse.conf");
        REQUIRE(f.diagnostics.size() == 1);
        const Diagnostic& error = f.diagnostics.front();
        CHECK(error.severity == Severity::error);
        CHECK(error.file == "conf/pulse.conf");
        CHECK(error.line == 2);
        CHECK(error.field == "Placement");
        CHECK(error.value == "best_fit");
        CHECK(to_string(error) ==
              "conf/pulse.conf:2: error: Placement 'best_fit': no such placement policy; known: topology, "
              "first_fit");
        // The table's check says the same of a configuration made by hand.
        PulseConf conf;
        conf.placement = "best_fit";
        conf.placement_line = 2;
        auto checked = check_placement_policy(conf, "conf/pulse.conf");
        REQUIRE(checked);
        CHECK(to_string(*checked) == to_string(error));
        CHECK_FALSE(find_placement_policy("Topology"));
    }

    TEST_CASE("a name in the table passes the check") {
        PulseConfFile f = parse_pulse_conf("Placement first_fit\n", "pulse.conf");
        REQUIRE(f.diagnostics.empty());
        CHECK_FALSE(check_placement_policy(f.conf, "pulse.conf"));
    }
}
