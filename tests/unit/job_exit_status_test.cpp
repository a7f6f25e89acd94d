#include "lobosq/job/job_exit_status.hpp"

#include <signal.h>

#include <doctest/doctest.h>

using namespace lobos;

namespace {

// Wait statuses as waitpid reports them.
int exited(int code) { return (code & 0xff) << 8; }
int killed_by(int signal) { return signal & 0x7f; }

const JobTime at{std::chrono::seconds(1'800'000'000)};

}  // namespace

TEST_SUITE("job exit status") {
    TEST_CASE("a script that ends by itself ends with its exit code or its signal") {
        JobEnd end = job_end_from_wait_status(exited(3), std::nullopt, at);
        CHECK(end.outcome == JobOutcome::exited);
        CHECK(end.exit_code == 3);
        CHECK(end.at == at);
        end = job_end_from_wait_status(killed_by(SIGSEGV), std::nullopt, at);
        CHECK(end.outcome == JobOutcome::signalled);
        CHECK(end.signal == SIGSEGV);
    }

    TEST_CASE("a cancelled job ends cancelled, with the reason, whatever its script did") {
        JobEnd end = job_end_from_wait_status(killed_by(SIGTERM), std::string("cancelled by alice"), at);
        CHECK(end.outcome == JobOutcome::cancelled);
        CHECK(end.reason == "cancelled by alice");
        CHECK(end.signal == SIGTERM);
        end = job_end_from_wait_status(exited(0), std::string(), at);
        CHECK(end.outcome == JobOutcome::cancelled);
        CHECK(end.reason == "cancelled");
    }

    TEST_CASE("a wait status in words") {
        CHECK(describe_wait_status(exited(1)) == "exit status 1");
        CHECK(describe_wait_status(killed_by(SIGKILL)) == "signal 9 (Killed)");
    }
}
