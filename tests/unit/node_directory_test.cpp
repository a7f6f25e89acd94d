#include "lobosq/job/node_directory.hpp"

#include <doctest/doctest.h>

using namespace lobos;

TEST_SUITE("node directory") {
    TEST_CASE("the orders and reports of each job are told apart by their suffix") {
        const auto jobs = job_files({"alice.261123101500.start", "alice.261123101500.state",
                                     "bob.261123101501.cancel", "bob.261123101501.start"});
        REQUIRE(jobs.size() == 2);
        CHECK(jobs.at("alice.261123101500") == JobFiles{true, false, true});
        CHECK(jobs.at("bob.261123101501") == JobFiles{true, true, false});
    }

    TEST_CASE("temporaries, the runner's own files and names that are not job ids are ignored") {
        const auto jobs =
            job_files({".alice.261123101500.start.tmp.123.0", ".hidden.start", "alice.261123101500.nodes",
                       "alice.2611231015.start", "-x.261123101500.start", "notes.txt",
                       "alice.261123101500.start~", ".start"});
        CHECK(jobs.empty());
    }

    TEST_CASE("a job's file is its id and suffix in the directory") {
        CHECK(job_file("/lobos/nodes/n01", "alice.261123101500", state_suffix) ==
              std::filesystem::path("/lobos/nodes/n01/alice.261123101500.state"));
    }
}
