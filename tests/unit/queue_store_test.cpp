#include "lobosq/queue_daemon/queue_store.hpp"

#include <system_error>

#include <doctest/doctest.h>

#include "job_test_values.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace lobos;
namespace fs = std::filesystem;

TEST_SUITE("queue store") {
    TEST_CASE(
        "a record another master's daemon has already moved to ended/ is reported so, not as an error") {
        test::ScratchDir dir("queue-store-retire");
        QueueStore mine(dir.path() / "queue");
        QueueStore theirs(dir.path() / "queue");
        Job job;
        job.spec = test::full_spec();
        job.state = JobState::running;
        job.placement = test::full_placement();
        job.started = test::job_time(1'795'400'160);
        mine.save(job);

        CHECK(theirs.retire(job));
        CHECK(fs::exists(theirs.ended_record(job.spec.id)));
        CHECK_FALSE(mine.retire(job));
        CHECK(fs::exists(mine.ended_record(job.spec.id)));
    }

    TEST_CASE("a record that is neither live nor ended cannot be retired") {
        test::ScratchDir dir("queue-store-missing");
        QueueStore store(dir.path() / "queue");
        Job job;
        job.spec = test::full_spec();
        CHECK_THROWS_AS(store.retire(job), std::system_error);
    }

    TEST_CASE(
        "of two daemons dispatching one job, the first claim holds and the second learns where it went") {
        test::ScratchDir dir("queue-store-claim");
        QueueStore mine(dir.path() / "queue");
        QueueStore theirs(dir.path() / "queue");
        Job job;
        job.spec = test::full_spec();
        job.state = JobState::running;
        job.placement = Placement{{3, 4}, {"n2", "n2"}};
        job.started = test::job_time(1'795'400'160);
        Job elsewhere = job;
        elsewhere.placement = Placement{{7}, {"n4"}};

        CHECK_FALSE(theirs.claim_dispatch(elsewhere));  // first: the claim is this dispatch
        CHECK_FALSE(theirs.claim_dispatch(elsewhere));  // again, the same placement: still this dispatch
        std::optional<Job> other = mine.claim_dispatch(job);
        REQUIRE(other);
        CHECK(other->placement == elsewhere.placement);
        CHECK(other->state == JobState::running);

        // A daemon that reads the queue afresh finds the claim of a job its records show waiting.
        const auto claims = mine.dispatch_claims({job.spec.id, "nobody.000000000001"});
        REQUIRE(claims.size() == 1);
        CHECK(claims.at(job.spec.id).placement == elsewhere.placement);
        CHECK(mine.dispatch_claims({}).empty());
    }

    TEST_CASE("ended records and dispatch claims older than the age given are removed, newer ones kept") {
        test::ScratchDir dir("queue-store-prune");
        QueueStore store(dir.path() / "queue");
        Job job;
        job.spec = test::full_spec();
        job.state = JobState::running;
        job.placement = test::full_placement();
        job.started = test::job_time(1'795'400'160);
        store.save(job);
        CHECK_FALSE(store.claim_dispatch(job));
        REQUIRE(store.retire(job));
        const auto now = fs::file_time_type::clock::now();
        const auto week = std::chrono::hours(24 * 7);

        CHECK(store.prune_ended(now, week) == 0);
        fs::last_write_time(store.ended_record(job.spec.id), now - week - std::chrono::hours(1));
        fs::last_write_time(store.dispatch_claim(job.spec.id), now - week - std::chrono::hours(1));
        CHECK(store.prune_ended(now, week) == 2);
        CHECK_FALSE(fs::exists(store.ended_record(job.spec.id)));
        CHECK_FALSE(fs::exists(store.dispatch_claim(job.spec.id)));
    }
}
