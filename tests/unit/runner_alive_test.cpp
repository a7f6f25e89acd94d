#include "lobosq/job/runner_alive.hpp"

#include <doctest/doctest.h>

#include "job_test_values.hpp"
#include "lobosq/job/node_directory.hpp"

using namespace lobos;

TEST_SUITE("runner alive") {
    TEST_CASE("a runner's sign of life reads back as its time and its jobs") {
        const RunnerAlive alive{test::job_time(1'795'400'160, 123'000'000),
                                {"alice.261123101500", "bob.261123101501"}};
        std::string error;
        auto read = decode_runner_alive(encode_runner_alive(alive), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == alive);
    }

    TEST_CASE("a runner with no jobs still gives its time") {
        const RunnerAlive alive{test::job_time(1'795'400'160, 0), {}};
        std::string error;
        auto read = decode_runner_alive(encode_runner_alive(alive), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(read->jobs.empty());
        CHECK(read->written == alive.written);
    }

    TEST_CASE("a broken or partial file is refused with a reason, never thrown") {
        for (std::string text : {"", "{", "[]", "{\"jobs\": []}", "{\"written\": \"now\", \"jobs\": []}",
                                 "{\"written\": 1795400160, \"jobs\": [3]}"}) {
            CAPTURE(text);
            std::string error;
            std::optional<RunnerAlive> read;
            CHECK_NOTHROW(read = decode_runner_alive(text, error));
            CHECK_FALSE(read.has_value());
            CHECK_FALSE(error.empty());
        }
    }

    TEST_CASE("the runner's file is not taken for a job's file in the node's directory") {
        CHECK(job_files({std::string(runner_alive_file), "alice.261123101500.start"}).size() == 1);
    }
}
