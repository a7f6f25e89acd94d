#include "lobosq/scheduler/node_loss.hpp"

#include <doctest/doctest.h>

using namespace lobos;
using namespace std::chrono_literals;

namespace {

const JobTime now = JobTime{} + 1'795'400'000s;
const NodeLossTimes times{5s, 5s};  // NodeTimeOut, MasterTimeOut

NodeSighting down(const std::string& name, JobClock::duration for_how_long,
                  std::optional<JobTime> runner_heard = std::nullopt) {
    return NodeSighting{name, false, now - for_how_long, runner_heard};
}

NodeSighting up(const std::string& name) { return NodeSighting{name, true, std::nullopt, now - 1s}; }

}  // namespace

TEST_SUITE("node loss") {
    TEST_CASE("a job on nodes node_status shows up is not failed") {
        CHECK_FALSE(judge_node_loss({up("n01"), up("n02")}, now - 1h, times, now).fail);
    }

    TEST_CASE("a job whose node is down is failed once a primary that has listened NodeTimeOut says so") {
        const NodeLossVerdict verdict = judge_node_loss({up("n01"), down("n02", 1s)}, now - 5s, times, now);
        CHECK(verdict.fail);
        CHECK(verdict.node == "n02");
        CHECK(verdict.reason == "node n02 went down (node_status)");
    }

    TEST_CASE("a job is not failed while the writer of node_status has listened less than NodeTimeOut") {
        // A pulse that has just started (or just become primary) shows the
        // nodes it has not heard yet down.
        CHECK_FALSE(judge_node_loss({down("n02", 1h)}, now - 4s, times, now).fail);
        CHECK_FALSE(judge_node_loss({down("n02", 1h)}, now, times, now).fail);
        CHECK(judge_node_loss({down("n02", 1h)}, now - 5s, times, now).fail);
    }

    TEST_CASE("a job is not failed while its runner still reports it, whatever node_status says") {
        for (JobClock::duration age : {0s, 1s, 4s})
            CHECK_FALSE(judge_node_loss({down("n02", 1h, now - age)}, now - 1h, times, now).fail);
        // Also with a runner's clock a little ahead of the queue's.
        CHECK_FALSE(judge_node_loss({down("n02", 1h, now + 3s)}, now - 1h, times, now).fail);
    }

    TEST_CASE("a job is failed once its node's runner has been silent for NodeTimeOut") {
        CHECK(judge_node_loss({down("n02", 1h, now - 5s)}, now - 1h, times, now).fail);
        CHECK(judge_node_loss({down("n02", 1h, now - 1h)}, now - 1h, times, now).fail);
    }

    TEST_CASE("a runner time far in the future is no sign of life") {
        // Else a dead runner whose clock was wrong would hold its jobs forever.
        CHECK(judge_node_loss({down("n02", 1h, now + 1h)}, now - 1h, times, now).fail);
    }

    TEST_CASE("without the writer's listening time a node must be down NodeTimeOut plus MasterTimeOut") {
        CHECK_FALSE(judge_node_loss({down("n02", 9s)}, std::nullopt, times, now).fail);
        CHECK(judge_node_loss({down("n02", 10s)}, std::nullopt, times, now).fail);
    }

    TEST_CASE("a node that node_status does not list, with no listening time known, fails no job") {
        const NodeSighting missing{"n02", false, std::nullopt, std::nullopt};
        CHECK_FALSE(judge_node_loss({missing}, std::nullopt, times, now).fail);
        CHECK(judge_node_loss({missing}, now - 1h, times, now).fail);
    }

    TEST_CASE("a job on several nodes is failed for the first node that is lost") {
        const NodeLossVerdict verdict = judge_node_loss(
            {up("n01"), down("n02", 1h, now - 1s), down("n03", 1h), down("n04", 1h)}, now - 1h, times, now);
        CHECK(verdict.fail);
        CHECK(verdict.node == "n03");
    }
}
