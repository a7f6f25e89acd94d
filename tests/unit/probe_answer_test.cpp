#include "lobosq/scheduler/probe_answer.hpp"

#include <doctest/doctest.h>

#include "job_test_values.hpp"

using namespace lobos;
using lobos::test::job_time;

TEST_SUITE("probe answer") {
    const JobTime now = job_time(1'800'000'000);

    TEST_CASE("a job that would start now is told its CPUs and nodes") {
        SchedulePass pass;
        pass.waiting.push_back(
            WaitingEstimate{"alice.test-only", 1, now, Placement{{1, 3}, {"n01", "n02"}}, ""});
        CHECK(describe_probe(pass, "alice.test-only", now) == "would start now on cpus 1,3 (n01 n02)");
    }

    TEST_CASE("a job that would wait is told the estimated start and why it waits") {
        SchedulePass pass;
        pass.waiting.push_back(WaitingEstimate{"bob.1", 1, now, Placement{{1}, {"n01"}}, ""});
        pass.waiting.push_back(WaitingEstimate{"alice.test-only", 2, now + std::chrono::minutes(90),
                                               Placement{{5, 6}, {"n03", "n03"}}, "needs 2 CPUs, 0 free"});
        const std::string text = describe_probe(pass, "alice.test-only", now);
        CHECK(text.starts_with("would start about "));
        CHECK(text.ends_with(" on cpus 5,6 (n03); until then: needs 2 CPUs, 0 free"));
    }

    TEST_CASE("a job the nodes up now cannot hold is told why") {
        SchedulePass pass;
        pass.waiting.push_back(WaitingEstimate{"alice.test-only", 1, std::nullopt, std::nullopt,
                                               "needs 8 CPUs; the nodes up now cannot give them; n04 down"});
        CHECK(describe_probe(pass, "alice.test-only", now) ==
              "would not start with the nodes up now: needs 8 CPUs; the nodes up now cannot give them; n04 "
              "down");
        CHECK(describe_probe(SchedulePass{}, "alice.test-only", now) == "the plan has no place for it");
    }
}
