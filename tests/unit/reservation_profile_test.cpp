#include "lobosq/scheduler/reservation_profile.hpp"

#include <doctest/doctest.h>

#include "job_test_values.hpp"

using namespace lobos;
using lobos::test::job_time;
using std::chrono::minutes;

namespace {

const JobTime t0 = job_time(1'800'000'000);

// n1..n3 with 2 CPUs each: CPUs 1..6.
const std::vector<CpuSlot>& three_nodes() {
    static const std::vector<CpuSlot> slots = [] {
        std::vector<CpuSlot> s;
        for (int n = 1; n <= 3; ++n)
            for (int i = 0; i < 2; ++i)
                s.push_back({static_cast<int>(s.size()) + 1, "n" + std::to_string(n), i});
        return s;
    }();
    return slots;
}

PlacementRequest wanting(int cpus, int tpip = 1, std::optional<int> nproc0 = {}) {
    return PlacementRequest{cpus, cpus, tpip, nproc0};
}

}  // namespace

TEST_SUITE("reservation profile") {
    TEST_CASE("a job gets the earliest moment enough nodes have its CPUs free, on the nodes free soonest") {
        // n1 busy 30 min, n2's first CPU 10 min, n3 idle.
        ReservationProfile profile(three_nodes(), std::vector<bool>(6, true),
                                   {t0 + minutes(30), t0 + minutes(30), t0 + minutes(10), t0, t0, t0});
        auto one_a_node = profile.earliest_slot(wanting(3), t0);
        REQUIRE(one_a_node);
        CHECK(one_a_node->start == t0 + minutes(30));  // needs a CPU on each of the 3 nodes
        CHECK(one_a_node->cpus.cpus == std::vector<int>{1, 4, 5});

        auto two_a_node = profile.earliest_slot(wanting(4, 2), t0);
        REQUIRE(two_a_node);
        CHECK(two_a_node->start == t0 + minutes(10));  // n2 and n3
        CHECK(two_a_node->cpus.cpus == std::vector<int>{3, 4, 5, 6});
        CHECK(two_a_node->cpus.nodes == std::vector<std::string>{"n2", "n2", "n3", "n3"});

        CHECK(profile.earliest_slot(wanting(2, 2), t0 + minutes(40))->start == t0 + minutes(40));
    }

    TEST_CASE("a reservation is appended after the CPUs' last one, and marks where the first begins") {
        ReservationProfile profile(three_nodes(), std::vector<bool>(6, true), std::vector<JobTime>(6, t0));
        auto first = profile.earliest_slot(wanting(6, 2), t0);
        REQUIRE(first);
        profile.reserve(first->cpus.cpus, t0 + minutes(5), t0 + minutes(65));
        CHECK(profile.first_reserved(1) == t0 + minutes(5));
        CHECK(profile.free_at(6) == t0 + minutes(65));
        // The hole before minute 5 is not offered to later reservations.
        CHECK(profile.earliest_slot(wanting(1), t0)->start == t0 + minutes(65));
        profile.occupy({1}, t0 + minutes(3));  // a job that starts now and ends inside the hole
        CHECK(profile.free_at(1) == t0 + minutes(65));
    }

    TEST_CASE("NPROC0 puts that CPU's node first and waits for that CPU") {
        ReservationProfile profile(three_nodes(), std::vector<bool>(6, true),
                                   {t0, t0 + minutes(20), t0, t0, t0, t0});
        auto slot = profile.earliest_slot(wanting(3, 1, 2), t0);
        REQUIRE(slot);
        CHECK(slot->start == t0 + minutes(20));
        CHECK(slot->cpus.cpus == std::vector<int>{2, 3, 5});
        CHECK(slot->cpus.nodes.front() == "n1");
    }

    TEST_CASE("CPUs that are not usable are never planned, and a job that needs them gets no slot") {
        std::vector<bool> usable(6, true);
        usable[4] = usable[5] = false;  // n3 down
        ReservationProfile profile(three_nodes(), usable, std::vector<JobTime>(6, t0));
        CHECK_FALSE(profile.earliest_slot(wanting(3), t0).has_value());
        CHECK_FALSE(profile.earliest_slot(wanting(1, 1, 5), t0).has_value());
        auto slot = profile.earliest_slot(wanting(4, 2), t0);
        REQUIRE(slot);
        CHECK(slot->cpus.cpus == std::vector<int>{1, 2, 3, 4});
        CHECK(profile.free_at(5) == never);
    }

    TEST_CASE("an odd count at TPIP 2 gives the last node one CPU") {
        ReservationProfile profile(three_nodes(), std::vector<bool>(6, true), std::vector<JobTime>(6, t0));
        auto slot = profile.earliest_slot(wanting(3, 2), t0);
        REQUIRE(slot);
        CHECK(slot->cpus.cpus == std::vector<int>{1, 2, 3});
    }
}
