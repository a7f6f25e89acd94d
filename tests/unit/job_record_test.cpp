#include "lobosq/job/job_record.hpp"

#include <functional>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "job_test_values.hpp"

using namespace lobos;
using nlohmann::json;

namespace {

Job running_job() {
    Job job;
    job.spec = test::full_spec();
    job.state = JobState::running;
    job.placement = test::full_placement();
    job.started = test::job_time(1'795'400'160, 42);
    return job;
}

Job decoded(const std::string& text) {
    std::string error;
    std::optional<Job> job = decode_job(text, error);
    REQUIRE_MESSAGE(job.has_value(), error);
    CHECK(error.empty());
    return *job;
}

// The record of running_job() with one change made to its JSON.
std::string changed(const std::function<void(json&)>& change) {
    json document = json::parse(encode_job(running_job()));
    change(document);
    return document.dump();
}

}  // namespace

TEST_SUITE("job record") {
    TEST_CASE("a running job reads back as every field written") {
        const Job job = running_job();
        CHECK(decoded(encode_job(job)) == job);
    }

    TEST_CASE("a waiting job without placement, start or end reads back as written") {
        Job job;
        job.spec = test::full_spec();
        job.spec.directives = JobDirectives{};  // no NPROC0, no RTIME
        job.spec.environment.clear();
        CHECK(decoded(encode_job(job)) == job);
    }

    TEST_CASE("an ended job keeps how it ended") {
        Job job = running_job();
        job.state = JobState::ended;
        job.end = test::full_end();
        CHECK(decoded(encode_job(job)) == job);
        for (JobOutcome outcome :
             {JobOutcome::exited, JobOutcome::signalled, JobOutcome::cancelled, JobOutcome::failed}) {
            job.end->outcome = outcome;
            CHECK(decoded(encode_job(job)).end->outcome == outcome);
        }
    }

    TEST_CASE("the record is JSON with times as whole nanoseconds since the epoch") {
        const Job job = running_job();
        json document = json::parse(encode_job(job));
        CHECK(document["state"] == "running");
        CHECK(document["spec"]["id"] == "alice.261123101500");
        CHECK(document["spec"]["uid"] == 1001);
        CHECK(document["spec"]["submitted"] == 1'795'400'100'123'456'789LL);
        CHECK(document["spec"]["directives"]["nprocs_high"] == 8);
        CHECK(document["spec"]["directives"]["rtime"].is_number_integer());
        CHECK(document["placement"]["cpus"] == json::array({3, 4, 1, 2}));
        CHECK(document["started"] == 1'795'400'160'000'000'042LL);
        CHECK(document["end"].is_null());
        CHECK(encode_job(job).ends_with("\n"));
    }

    TEST_CASE("scripts, directories and environments that are not UTF-8 come back byte for byte") {
        Job job = running_job();
        job.spec.script = std::string("#!/bin/sh\necho caf\xe9\n") + std::string(1, '\0') + "\xff\xfe";
        job.spec.dir = "/home/alice/\xc3\x28";
        job.spec.environment["LATIN1"] = "\xe9t\xe9";
        job.spec.environment["\xff"] = "odd name";
        job.spec.environment["SURROGATE"] = "\xed\xa0\x80";
        job.spec.environment["OVERLONG"] = "\xc0\xaf";
        job.spec.environment["UTF8"] = "h\xc3\xa9llo \xf0\x9f\x98\x80";
        std::string text;
        CHECK_NOTHROW(text = encode_job(job));
        CHECK(decoded(text) == job);
        // Valid UTF-8 stays readable text in the file.
        CHECK(json::parse(text)["spec"]["environment"].dump().find("h\xc3\xa9llo") != std::string::npos);
    }

    TEST_CASE("optional values may be absent as well as null") {
        Job job = running_job();
        job.started.reset();
        job.placement.reset();
        job.spec.directives.nproc0.reset();
        job.spec.directives.rtime.reset();
        json document = json::parse(encode_job(job));
        document.erase("started");
        document.erase("placement");
        document.erase("end");
        document["spec"]["directives"].erase("nproc0");
        document["spec"]["directives"].erase("rtime");
        CHECK(decoded(document.dump()) == job);
    }

    TEST_CASE("keys a reader does not know are ignored") {
        CHECK(decoded(changed([](json& d) {
                  d["future"] = {1, 2};
                  d["spec"]["priority"] = 3;
              })) == running_job());
    }

    TEST_CASE("a bad record gives an error naming the field, never an exception") {
        std::vector<std::pair<std::string, std::string>> cases{
            {"", "parse error"},
            {"{", "parse error"},
            {"{\"spec\": \"\xff\"}", "parse error"},
            {"[]", "the document: expected an object"},
            {"{}", "spec: missing"},
            {changed([](json& d) { d["spec"] = 1; }), "spec: expected an object"},
            {changed([](json& d) { d["spec"]["id"] = 7; }), "spec.id: expected a string"},
            {changed([](json& d) { d["spec"]["id"] = "../x.261123101500"; }), "spec.id: expected a job id"},
            {changed([](json& d) { d["spec"].erase("user"); }), "spec.user: missing"},
            {changed([](json& d) { d["spec"]["uid"] = -1; }), "spec.uid"},
            {changed([](json& d) { d["spec"]["uid"] = "1001"; }), "spec.uid"},
            {changed([](json& d) { d["spec"]["uid"] = 1.5; }), "spec.uid"},
            {changed([](json& d) { d["spec"]["gid"] = 4294967296LL; }), "spec.gid"},
            {changed([](json& d) { d["spec"]["dir"] = nullptr; }), "spec.dir: expected a string"},
            {changed([](json& d) {
                 d["spec"]["script"] = {{"hex", "zz"}};
             }),
             "spec.script"},
            {changed([](json& d) {
                 d["spec"]["script"] = {{"hex", "abc"}};
             }),
             "spec.script"},
            {changed([](json& d) {
                 d["spec"]["script"] = {{"bytes", "00"}};
             }),
             "spec.script"},
            {changed([](json& d) { d["spec"].erase("directives"); }), "spec.directives: missing"},
            {changed([](json& d) { d["spec"]["directives"] = json::array(); }), "spec.directives: expected"},
            {changed([](json& d) { d["spec"]["directives"]["etime_minutes"] = 0; }),
             "spec.directives.etime_minutes"},
            {changed([](json& d) { d["spec"]["directives"]["confidence"] = 101; }),
             "spec.directives.confidence"},
            {changed([](json& d) { d["spec"]["directives"]["nprocs_low"] = 0; }),
             "spec.directives.nprocs_low"},
            {changed([](json& d) { d["spec"]["directives"]["nprocs_high"] = 1; }),
             "spec.directives.nprocs_high: expected a whole number from 2 to 128"},
            {changed([](json& d) { d["spec"]["directives"]["nprocs_high"] = 129; }),
             "spec.directives.nprocs_high"},
            {changed([](json& d) { d["spec"]["directives"]["nproc0"] = "3"; }), "spec.directives.nproc0"},
            {changed([](json& d) { d["spec"]["directives"]["nproc0"] = 0; }), "spec.directives.nproc0"},
            {changed([](json& d) { d["spec"]["directives"]["tpip"] = 3; }), "spec.directives.tpip"},
            {changed([](json& d) { d["spec"]["directives"]["tpip"] = 18446744073709551615ULL; }),
             "spec.directives.tpip"},
            {changed([](json& d) { d["spec"]["directives"]["admin"] = 1; }),
             "spec.directives.admin: expected true or false"},
            {changed([](json& d) { d["spec"]["directives"]["rtime"] = 1.5; }), "spec.directives.rtime"},
            {changed([](json& d) { d["spec"]["submitted"] = "yesterday"; }), "spec.submitted"},
            {changed([](json& d) { d["spec"]["submitted"] = 1e30; }), "spec.submitted"},
            {changed([](json& d) { d["spec"]["submitted"] = 18446744073709551615ULL; }), "spec.submitted"},
            {changed([](json& d) {
                 d["spec"]["environment"] = {{"HOME", "/"}};
             }),
             "spec.environment"},
            {changed([](json& d) { d["spec"]["environment"] = json::array({json::array({"HOME"})}); }),
             "spec.environment[0]: expected a pair"},
            {changed([](json& d) {
                 d["spec"]["environment"] = json::array({json::array({"HOME", 1})});
             }),
             "spec.environment[0][1]"},
            {changed([](json& d) {
                 d["spec"]["environment"] = json::array({json::array({"A", "b", "c"})});
             }),
             "spec.environment[0]"},
            {changed([](json& d) { d.erase("state"); }), "state: missing"},
            {changed([](json& d) { d["state"] = "lost"; }), "state: expected waiting, running or ended"},
            {changed([](json& d) { d["placement"] = 3; }), "placement: expected an object"},
            {changed([](json& d) { d["placement"]["cpus"][0] = 0; }), "placement.cpus[0]"},
            {changed([](json& d) { d["placement"]["cpus"][1] = "4"; }), "placement.cpus[1]"},
            {changed([](json& d) { d["placement"]["nodes"].erase(0); }), "placement.nodes"},
            {changed([](json& d) { d["placement"]["nodes"][2] = false; }), "placement.nodes[2]"},
            {changed([](json& d) { d["started"] = "now"; }), "started"},
            {changed([](json& d) {
                 d["end"] = {{"outcome", "exploded"}};
             }),
             "end.outcome"},
            {changed([](json& d) {
                 d["end"] = json::parse(R"({"outcome":"exited","signal":0,"reason":"","at":1})");
             }),
             "end.exit_code: missing"},
            {changed([](json& d) {
                 d["end"] =
                     json::parse(R"({"outcome":"exited","exit_code":0,"signal":1e40,"reason":"","at":1})");
             }),
             "end.signal"},
            {changed([](json& d) {
                 d["end"] = json::parse(R"({"outcome":"exited","exit_code":0,"signal":0,"reason":3,"at":1})");
             }),
             "end.reason"},
            {changed([](json& d) {
                 d["end"] =
                     json::parse(R"({"outcome":"exited","exit_code":0,"signal":0,"reason":"","at":"1"})");
             }),
             "end.at"},
        };
        for (const auto& [text, mention] : cases) {
            CAPTURE(text);
            std::string error;
            std::optional<Job> job;
            CHECK_NOTHROW(job = decode_job(text, error));
            CHECK_FALSE(job.has_value());
            CAPTURE(error);
            CHECK(error.find(mention) != std::string::npos);
        }
    }

    TEST_CASE("a record cut short anywhere is refused, never thrown at the reader") {
        const std::string text = encode_job(running_job());
        for (std::size_t length = 0; length + 2 < text.size(); ++length) {
            std::string error;
            std::optional<Job> job;
            CHECK_NOTHROW(job = decode_job(std::string_view(text).substr(0, length), error));
            CHECK_FALSE(job.has_value());
            CHECK_FALSE(error.empty());
        }
    }
}
