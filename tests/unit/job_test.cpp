#include "lobosq/job/job.hpp"

#include <signal.h>

#include <doctest/doctest.h>

using namespace lobos;

TEST_SUITE("job") {
    TEST_CASE("states and outcomes have the names the records and logs use") {
        CHECK(std::string(to_string(JobState::waiting)) == "waiting");
        CHECK(std::string(to_string(JobState::running)) == "running");
        CHECK(std::string(to_string(JobState::ended)) == "ended");
        CHECK(std::string(to_string(JobOutcome::exited)) == "exited");
        CHECK(std::string(to_string(JobOutcome::signalled)) == "signalled");
        CHECK(std::string(to_string(JobOutcome::cancelled)) == "cancelled");
        CHECK(std::string(to_string(JobOutcome::failed)) == "failed");
    }

    TEST_CASE("a job's end is described in a few words for job.log and lobosq stat") {
        CHECK(describe({JobOutcome::exited, 0, 0, "", {}}) == "exit 0");
        CHECK(describe({JobOutcome::exited, 3, 0, "", {}}) == "exit 3");
        CHECK(describe({JobOutcome::signalled, 0, SIGKILL, "", {}}) == "signal 9 (Killed)");
        CHECK(describe({JobOutcome::signalled, 0, 1000, "", {}}) == "signal 1000");
        CHECK(describe({JobOutcome::cancelled, 0, 0, "cancelled by alice", {}}) == "cancelled by alice");
        CHECK(describe({JobOutcome::cancelled, 0, 0, "n05 went down", {}}) == "cancelled: n05 went down");
        CHECK(describe({JobOutcome::cancelled, 0, 0, "", {}}) == "cancelled");
        CHECK(describe({JobOutcome::failed, 0, 0, "n05 went down", {}}) == "failed: n05 went down");
        CHECK(describe({JobOutcome::failed, 0, 0, "", {}}) == "failed");
    }

    TEST_CASE("a placement's distinct nodes are each host once, NODE0 first") {
        Placement p{{5, 1, 2, 3}, {"n3", "n1", "n1", "n2"}};
        CHECK(p.node0() == "n3");
        CHECK(p.distinct_nodes() == std::vector<std::string>{"n3", "n1", "n2"});
        CHECK(Placement{}.distinct_nodes().empty());
        CHECK(Placement{}.node0().empty());
    }
}
