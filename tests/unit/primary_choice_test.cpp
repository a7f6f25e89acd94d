#include "pulse/health/primary_choice.hpp"

#include <chrono>
#include <vector>

#include <doctest/doctest.h>

using namespace lobos;
using namespace std::chrono_literals;
using Action = PrimaryChoice::Action;

namespace {

constexpr std::chrono::steady_clock::duration master_timeout = 3s;
constexpr std::chrono::steady_clock::duration long_running = 60s;
// Two masters, and this one hears the other and a compute node.
constexpr ClusterHearing hears_others{1, 2};
constexpr ClusterHearing hears_no_one{1, 0};

}  // namespace

TEST_SUITE("primary choice") {
    TEST_CASE("the master of rank 1 claims the lease at once: no master is ranked above it") {
        CHECK(choose_primary({}, hears_others, 0s, master_timeout, false).action == Action::claim);
        CHECK(choose_primary({}, hears_others, long_running, master_timeout, true).action == Action::claim);
    }

    TEST_CASE("a master waits while a master ranked above it is heard") {
        const std::vector<MasterHeard> above{{"master1", true}};
        const PrimaryChoice choice = choose_primary(above, hears_others, long_running, master_timeout, false);
        CHECK(choice.action == Action::wait);
        CHECK(choice.reason == "master1 is up and ranked above");
    }

    TEST_CASE("a primary stands down when a master ranked above it is heard again") {
        const std::vector<MasterHeard> above{{"master1", false}, {"master2", true}};
        const PrimaryChoice choice = choose_primary(above, hears_others, long_running, master_timeout, true);
        CHECK(choice.action == Action::stand_down);
        CHECK(choice.reason == "a master of lower rank is heard again");
    }

    TEST_CASE("a master that has just started waits MasterTimeOut to hear the masters ranked above") {
        const std::vector<MasterHeard> above{{"master1", false}, {"master2", false}};
        const PrimaryChoice starting = choose_primary(above, hears_others, 1s, master_timeout, false);
        CHECK(starting.action == Action::wait);
        CHECK(starting.reason == "starting: waiting to hear master1");
        CHECK(choose_primary(above, hears_others, master_timeout, master_timeout, false).action ==
              Action::claim);
    }

    TEST_CASE("a master claims once every master ranked above it is silent") {
        const std::vector<MasterHeard> above{{"master1", false}, {"master2", false}};
        CHECK(choose_primary(above, hears_others, long_running, master_timeout, false).action ==
              Action::claim);
        CHECK(choose_primary(above, hears_others, long_running, master_timeout, true).action ==
              Action::claim);
    }

    TEST_CASE(
        "a primary that hears no other host steps down, so that a master that hears the cluster takes over") {
        const PrimaryChoice choice = choose_primary({}, hears_no_one, long_running, master_timeout, true);
        CHECK(choice.action == Action::stand_down);
        CHECK(choice.reason == "it hears no other host");
    }

    TEST_CASE("a master that hears no other host does not claim the lease, whatever its rank") {
        const PrimaryChoice first = choose_primary({}, hears_no_one, long_running, master_timeout, false);
        CHECK(first.action == Action::wait);
        CHECK(first.reason == "it hears no other host");
        const std::vector<MasterHeard> above{{"master1", false}};
        CHECK(choose_primary(above, hears_no_one, long_running, master_timeout, false).action ==
              Action::wait);
    }

    TEST_CASE("hearing one other host, master or compute node, is enough to hold the lease") {
        CHECK(choose_primary({}, {1, 1}, long_running, master_timeout, true).action == Action::claim);
        CHECK(choose_primary({}, {3, 1}, long_running, master_timeout, false).action == Action::claim);
    }

    TEST_CASE("the only master keeps the lease hearing no one: no other master could take over") {
        CHECK(choose_primary({}, {0, 0}, long_running, master_timeout, true).action == Action::claim);
        CHECK(choose_primary({}, {0, 0}, 0s, master_timeout, false).action == Action::claim);
        CHECK(hears_enough({0, 0}));
        CHECK_FALSE(hears_enough({1, 0}));
    }

    TEST_CASE("the hearing horizon is two heartbeats, or NodeTimeOut if that is shorter") {
        CHECK(hearing_horizon(1s, 5s) == 2s);
        CHECK(hearing_horizon(1s, 1500ms) == 1500ms);
    }

    TEST_CASE("a lease held with a new epoch is a take-over; with the same epoch a renewal") {
        CHECK(after_claim(ClaimResult::held, 1, std::nullopt) == LeaseStep::take_over);
        CHECK(after_claim(ClaimResult::held, 2, 1) == LeaseStep::take_over);
        CHECK(after_claim(ClaimResult::held, 2, 2) == LeaseStep::renewed);
    }

    TEST_CASE("a lease another master holds is lost by a primary, and waited for by the others") {
        CHECK(after_claim(ClaimResult::taken_by_other, 0, 3) == LeaseStep::lost);
        CHECK(after_claim(ClaimResult::taken_by_other, 0, std::nullopt) == LeaseStep::wait_for_expiry);
    }

    TEST_CASE("a busy lock or an I/O error is tried again, and the epoch is kept") {
        CHECK(after_claim(ClaimResult::lock_busy, 0, 3) == LeaseStep::retry);
        CHECK(after_claim(ClaimResult::io_error, 0, 3) == LeaseStep::retry);
        CHECK(after_claim(ClaimResult::io_error, 0, std::nullopt) == LeaseStep::retry);
    }
}
