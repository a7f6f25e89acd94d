#include "lobosq/scheduler/probe_answer.hpp"

#include <doctest/doctest.h>

#include "job_test_values.hpp"
#include "time_zone.hpp"

using namespace lobos;
using lobos::test::job_time;

namespace {

WaitReason needs(int cpus, int free, NodeFaults faults = {}) {
    WaitReason why;
    why.code = WaitCode::needs_cpus;
    why.nprocs_low = why.nprocs_high = cpus;
    why.free_cpus = free;
    why.faults = std::move(faults);
    return why;
}

}  // namespace

TEST_SUITE("probe answer") {
    const JobTime now = job_time(1'800'000'000);

    TEST_CASE("a job that would start now is told its CPUs and nodes") {
        SchedulePass pass;
        pass.waiting.push_back(
            WaitingEstimate{"alice.test-only", 1, now, Placement{{1, 3}, {"n01", "n02"}}, {}});
        CHECK(describe_probe(pass, "alice.test-only", now) == "would start now on cpus 1,3 (n01 n02)");
    }

    TEST_CASE("a job that would wait is told the estimated start and why it waits") {
        SchedulePass pass;
        pass.waiting.push_back(WaitingEstimate{"bob.1", 1, now, Placement{{1}, {"n01"}}, {}});
        pass.waiting.push_back(WaitingEstimate{"alice.test-only", 2, now + std::chrono::minutes(90),
                                               Placement{{5, 6}, {"n03", "n03"}}, needs(2, 0)});
        const std::string text = describe_probe(pass, "alice.test-only", now);
        CHECK(text.starts_with("would start about "));
        CHECK(text.ends_with(" on cpus 5,6 (n03); until then: needs 2 CPUs, 0 free"));
    }

    TEST_CASE("a job the nodes up now cannot hold is told why") {
        WaitReason why = needs(8, 0, {{"down", {"n04"}, 0}});
        why.code = WaitCode::cannot_place;
        SchedulePass pass;
        pass.waiting.push_back(WaitingEstimate{"alice.test-only", 1, std::nullopt, std::nullopt, why});
        CHECK(describe_probe(pass, "alice.test-only", now) ==
              "would not start with the nodes up now: needs 8 CPUs; the nodes up now cannot give them; n04 "
              "down");
        CHECK(describe_probe(SchedulePass{}, "alice.test-only", now) == "the plan has no place for it");
    }

    TEST_CASE("the daemon sends the estimate as data, and lobosq says it in its own time zone") {
        SchedulePass pass;
        pass.waiting.push_back(WaitingEstimate{"alice.test-only", 2, now + std::chrono::minutes(90),
                                               Placement{{5, 6}, {"n03", "n03"}},
                                               behind("bob.1", now + std::chrono::minutes(90))});
        const ProbeEstimate sent = estimate_probe(pass, "alice.test-only", now);
        std::string error;
        const std::optional<ProbeEstimate> read = decode_probe_estimate(encode_probe_estimate(sent), error);
        REQUIRE_MESSAGE(read, error);
        CHECK(*read == sent);
        // 1'800'000'000 is 2027-01-15 08:00:00 UTC.
        {
            test::TimeZone zone("UTC0");
            CHECK(describe_probe(*read, now) ==
                  "would start about Fri Jan 15 09:30:00 2027 on cpus 5,6 (n03); until then: behind bob.1 "
                  "(starts 09:30)");
        }
        {
            test::TimeZone zone("<+0530>-5:30");
            CHECK(describe_probe(*read, now) ==
                  "would start about Fri Jan 15 15:00:00 2027 on cpus 5,6 (n03); until then: behind bob.1 "
                  "(starts 15:00)");
        }
        CHECK(decode_probe_estimate(R"({"planned": true})", error) == std::nullopt);
        CHECK(error.find("starts_now") != std::string::npos);
        CHECK(decode_probe_estimate("would start now", error) == std::nullopt);
    }

    TEST_CASE("a job the plan has no place for reads back as such") {
        std::string error;
        const auto read =
            decode_probe_estimate(encode_probe_estimate(estimate_probe(SchedulePass{}, "x", now)), error);
        REQUIRE(read);
        CHECK(describe_probe(*read, now) == "the plan has no place for it");
    }
}
