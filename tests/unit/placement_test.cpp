#include "lobosq/placement/placement.hpp"

#include <doctest/doctest.h>

using namespace lobos;

namespace {

// n1..nN with `per_node` CPUs each, numbered as number_cpus numbers them;
// every CPU free and every node up until a test says otherwise.
struct Cluster {
    std::vector<CpuSlot> slots;
    CpuAvailability available;

    Cluster(int nodes, int per_node) {
        for (int n = 1; n <= nodes; ++n) {
            for (int i = 0; i < per_node; ++i)
                slots.push_back({static_cast<int>(slots.size()) + 1, "n" + std::to_string(n), i});
            available.up_nodes.insert("n" + std::to_string(n));
        }
        available.cpus = &slots;
        available.free.assign(slots.size(), true);
    }
    Cluster(const Cluster&) = delete;

    void busy(std::initializer_list<int> cpus) {
        for (int cpu : cpus) available.free[static_cast<std::size_t>(cpu - 1)] = false;
    }
    void down(const std::string& node) { available.up_nodes.erase(node); }

    std::optional<Placement> place(int low, int high, int tpip = 1, std::optional<int> nproc0 = {}) const {
        return place_first_fit(PlacementRequest{low, high, tpip, nproc0}, available);
    }
};

}  // namespace

TEST_SUITE("placement") {
    TEST_CASE("the request is the job's #NPROCS, #TPIP and #NPROC0") {
        JobDirectives d;
        d.nprocs_low = 2;
        d.nprocs_high = 8;
        d.tpip = 2;
        d.nproc0 = 5;
        CHECK(placement_request(d) == PlacementRequest{2, 8, 2, 5});
        CHECK(placement_request(JobDirectives{}) == PlacementRequest{4, 4, 1, std::nullopt});
    }

    TEST_CASE("a 2-CPU job with TPIP 1 gets one CPU on each of two nodes") {
        Cluster c(4, 2);
        auto p = c.place(2, 2);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{1, 3});
        CHECK(p->nodes == std::vector<std::string>{"n1", "n2"});
        CHECK(p->node0() == "n1");
    }

    TEST_CASE("the next 2-CPU job with TPIP 1 gets the second CPUs of the same pair, as in the SPEC sample") {
        Cluster c(2, 2);
        c.busy({1, 3});
        auto p = c.place(2, 2);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{2, 4});
    }

    TEST_CASE("a 4-CPU job with TPIP 2 gets two CPUs on each of two nodes") {
        Cluster c(3, 2);
        auto p = c.place(4, 4, 2);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{1, 2, 3, 4});
        CHECK(p->nodes == std::vector<std::string>{"n1", "n1", "n2", "n2"});
        CHECK(p->distinct_nodes() == std::vector<std::string>{"n1", "n2"});
    }

    TEST_CASE("with TPIP 2 a node with one free CPU is skipped, and the last node may give fewer") {
        Cluster c(3, 2);
        c.busy({1});
        auto p = c.place(3, 3, 2);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{3, 4, 5});
        CHECK(p->nodes == std::vector<std::string>{"n2", "n2", "n3"});
    }

    TEST_CASE("a down node's CPUs are never used, free as they are") {
        Cluster c(3, 2);
        c.down("n1");
        auto p = c.place(2, 2);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{3, 5});
        c.down("n3");
        CHECK_FALSE(c.place(2, 2).has_value());
        CHECK(c.place(1, 1)->cpus == std::vector<int>{3});
    }

    TEST_CASE("busy CPUs are skipped") {
        Cluster c(3, 2);
        c.busy({1, 2, 4});
        auto p = c.place(2, 2);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{3, 5});
    }

    TEST_CASE("a range takes as many CPUs as are free, up to its high end") {
        Cluster c(4, 2);
        c.busy({1, 3, 5});
        auto some = c.place(2, 8);
        REQUIRE(some);
        CHECK(some->cpus == std::vector<int>{2, 4, 6, 7});
        Cluster idle(4, 2);
        auto capped = idle.place(1, 3);
        REQUIRE(capped);
        CHECK(capped->cpus == std::vector<int>{1, 3, 5});
    }

    TEST_CASE("too few free CPUs for the low end of the request: the job does not fit now") {
        Cluster c(2, 2);
        c.busy({1, 2, 3});
        CHECK_FALSE(c.place(2, 2).has_value());
        CHECK_FALSE(c.place(2, 4).has_value());
        CHECK_FALSE(Cluster(2, 2).place(5, 5).has_value());
        Cluster tpip(2, 2);
        tpip.busy({1, 3});
        CHECK_FALSE(tpip.place(2, 2, 2).has_value());  // one free CPU on each node, TPIP 2 wants two
    }

    TEST_CASE("NPROC0 becomes NODE0's first CPU, the rest follow in number order") {
        Cluster c(4, 2);
        auto p = c.place(3, 3, 1, 5);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{5, 1, 3});
        CHECK(p->nodes == std::vector<std::string>{"n3", "n1", "n2"});
        CHECK(p->node0() == "n3");
    }

    TEST_CASE("NPROC0 with TPIP 2 takes its node's other free CPU after it") {
        Cluster c(3, 2);
        auto p = c.place(4, 4, 2, 4);
        REQUIRE(p);
        CHECK(p->cpus == std::vector<int>{4, 3, 1, 2});
        CHECK(p->node0() == "n2");
    }

    TEST_CASE("NPROC0 busy, on a down node or not in the cluster: the job does not fit now") {
        Cluster busy(3, 2);
        busy.busy({5});
        CHECK_FALSE(busy.place(1, 1, 1, 5).has_value());
        Cluster down(3, 2);
        down.down("n3");
        CHECK_FALSE(down.place(1, 1, 1, 5).has_value());
        CHECK_FALSE(Cluster(3, 2).place(1, 1, 1, 7).has_value());
        CHECK_FALSE(Cluster(3, 2).place(1, 1, 1, 0).has_value());
    }

    TEST_CASE("NPROC0 whose node lacks the TPIP CPUs is refused rather than moved") {
        Cluster c(3, 2);
        c.busy({6});
        CHECK_FALSE(c.place(2, 2, 2, 5).has_value());
        CHECK(c.place(1, 1, 2, 5)->cpus == std::vector<int>{5});  // one CPU wanted: TPIP asks no more
    }

    TEST_CASE("a request that makes no sense, or no CPU list, places nothing") {
        Cluster c(2, 2);
        CHECK_FALSE(c.place(0, 0).has_value());
        CHECK_FALSE(c.place(3, 2).has_value());
        CHECK_FALSE(c.place(1, 1, 0).has_value());
        CpuAvailability none;
        CHECK_FALSE(place_first_fit(PlacementRequest{}, none).has_value());
    }

    TEST_CASE("a free list shorter than the CPU list counts the missing CPUs as busy") {
        Cluster c(2, 2);
        c.available.free.resize(2);
        CHECK(c.place(1, 4)->cpus == std::vector<int>{1});
    }
}
