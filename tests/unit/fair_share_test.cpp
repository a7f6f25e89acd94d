#include "lobosq/scheduler/fair_share.hpp"

#include <doctest/doctest.h>

#include "job_test_values.hpp"

using namespace lobos;
using lobos::test::job_time;
using std::chrono::hours;

namespace {

const JobTime t0 = job_time(1'800'000'000);

Job waiting(const std::string& id, unsigned uid, unsigned gid, long long submitted, int cpus = 1,
            int etime = 60) {
    Job job;
    job.spec.id = id;
    job.spec.uid = uid;
    job.spec.gid = gid;
    job.spec.submitted = job_time(submitted);
    job.spec.directives.nprocs_low = job.spec.directives.nprocs_high = cpus;
    job.spec.directives.etime_minutes = etime;
    return job;
}

std::vector<std::string> ids(const std::vector<const Job*>& jobs) {
    std::vector<std::string> out;
    for (const Job* job : jobs) out.push_back(job->spec.id);
    return out;
}

}  // namespace

TEST_SUITE("fair share") {
    TEST_CASE("used CPU time halves with every half-life") {
        FairShare share(hours(24));
        share.charge(100, 1000, 3600, t0);
        CHECK(share.user_usage(100, 1000, t0) == doctest::Approx(3600));
        CHECK(share.group_usage(100, t0 + hours(24)) == doctest::Approx(1800));
        CHECK(share.user_usage(100, 1000, t0 + hours(48)) == doctest::Approx(900));
        share.charge(100, 1000, 100, t0 + hours(24));
        CHECK(share.user_usage(100, 1000, t0 + hours(24)) == doctest::Approx(1900));
        CHECK(share.user_usage(100, 1001, t0) == 0);
        CHECK(share.group_usage(200, t0) == 0);
    }

    TEST_CASE("after one user's heavy use the other user's jobs go first, then they take turns") {
        FairShare share(hours(24));
        share.charge(100, 1000, 10 * 3600, t0 - hours(1));  // alice used 10 CPU-hours
        Job a1 = waiting("alice.1", 1000, 100, 10), a2 = waiting("alice.2", 1000, 100, 11);
        Job b1 = waiting("bob.1", 1001, 100, 20), b2 = waiting("bob.2", 1001, 100, 21);
        std::vector<const Job*> order{&a1, &a2, &b1, &b2};
        share.order(order, {}, t0);
        CHECK(ids(order) == std::vector<std::string>{"bob.1", "bob.2", "alice.1", "alice.2"});

        // Without history they alternate, the earlier submission first.
        FairShare fresh(hours(24));
        std::vector<const Job*> even{&a1, &a2, &b1, &b2};
        fresh.order(even, {}, t0);
        CHECK(ids(even) == std::vector<std::string>{"alice.1", "bob.1", "alice.2", "bob.2"});
    }

    TEST_CASE("groups share first, then users within a group") {
        FairShare share(hours(24));
        // Group 100 used much (through alice); bob in it has used nothing himself.
        share.charge(100, 1000, 20 * 3600, t0);
        Job b1 = waiting("bob.1", 1001, 100, 10);
        Job c1 = waiting("carol.1", 2000, 200, 20), c2 = waiting("carol.2", 2000, 200, 21);
        std::vector<const Job*> order{&b1, &c1, &c2};
        share.order(order, {}, t0);
        // Group 200's jobs first: 20 CPU-hours outweigh carol's two 1-hour jobs.
        CHECK(ids(order) == std::vector<std::string>{"carol.1", "carol.2", "bob.1"});
    }

    TEST_CASE("a user's running jobs count for the time they have run") {
        FairShare share(hours(24));
        Job running = waiting("alice.0", 1000, 100, 0, 8);
        running.state = JobState::running;
        running.started = t0 - hours(2);
        running.placement = Placement{{1, 2, 3, 4, 5, 6, 7, 8}, std::vector<std::string>(8, "n1")};
        Job a1 = waiting("alice.1", 1000, 100, 10), b1 = waiting("bob.1", 1001, 100, 20);
        std::vector<const Job*> order{&a1, &b1};
        share.order(order, {&running}, t0);
        CHECK(ids(order) == std::vector<std::string>{"bob.1", "alice.1"});
    }

    TEST_CASE("the totals survive encoding, and a broken file names what is wrong") {
        FairShare share(hours(12));
        share.charge(100, 1000, 1234.5, t0);
        share.charge(200, 2000, 10, t0 + hours(1));
        std::string error;
        std::optional<FairShare> back = FairShare::decode(share.encode(), hours(12), error);
        REQUIRE(back);
        CHECK(*back == share);
        CHECK_FALSE(FairShare::decode("[]", hours(12), error));
        CHECK(error == "not a JSON object");
        CHECK_FALSE(FairShare::decode(R"({"users": [{"gid": 1, "uid": 2, "cpu_seconds": -1, "as_of": 0}]})",
                                      hours(12), error));
        CHECK(error == "users[0]: cpu_seconds must be a number of seconds, 0 or more");
        CHECK_FALSE(FairShare::decode(R"({"groups": [{"cpu_seconds": 1, "as_of": 0}]})", hours(12), error));
        CHECK(error == "groups[0]: needs gid, a number");
    }
}
