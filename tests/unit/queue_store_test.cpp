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
}
