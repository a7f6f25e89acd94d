#include "lobosq/job/node_orders.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "job_test_values.hpp"

using namespace lobos;
using nlohmann::json;

namespace {

StartOrder full_order() {
    return StartOrder{test::full_spec(), test::full_placement(), 2.5, test::job_time(1'795'400'160, 7)};
}

JobReport ended_report() {
    JobReport report;
    report.state = RunnerState::ended;
    report.shepherd_pid = 41234;
    report.shepherd_start = 18'446'744'073'709'551'615ULL;
    report.job_pgid = 41240;
    report.started = test::job_time(1'795'400'161, 999'999'999);
    report.end = test::full_end();
    return report;
}

// Decodes with `decode` and expects a refusal that mentions `mention`.
template <typename Decode>
void check_refused(Decode decode, const std::string& text, const std::string& mention) {
    CAPTURE(text);
    std::string error;
    bool decoded = true;
    CHECK_NOTHROW(decoded = decode(text, error).has_value());
    CHECK_FALSE(decoded);
    CAPTURE(error);
    CHECK(error.find(mention) != std::string::npos);
}

}  // namespace

TEST_SUITE("node orders") {
    TEST_CASE("a start order reads back as the job, its placement, the grace and the dispatch time") {
        const StartOrder order = full_order();
        std::string error;
        auto read = decode_start_order(encode_start_order(order), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == order);
    }

    TEST_CASE("a cancel order reads back with its reason, whatever bytes it holds") {
        for (std::string reason : {"cancelled by alice", "n05 went down", "", "caf\xe9 \"quoted\"\n"}) {
            std::string error;
            auto read = decode_cancel_order(encode_cancel_order(CancelOrder{reason}), error);
            REQUIRE_MESSAGE(read.has_value(), error);
            CHECK(read->reason == reason);
        }
    }

    TEST_CASE("a runner's report reads back in each state") {
        std::string error;
        const JobReport ended = ended_report();
        auto read = decode_job_report(encode_job_report(ended), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == ended);

        JobReport starting;
        starting.shepherd_pid = 300;
        read = decode_job_report(encode_job_report(starting), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == starting);

        JobReport running = ended;
        running.state = RunnerState::running;
        running.end.reset();
        read = decode_job_report(encode_job_report(running), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == running);
        CHECK(json::parse(encode_job_report(running))["state"] == "running");
    }

    TEST_CASE("a report is one line, and of a log of reports the last complete line is the current one") {
        JobReport starting;
        starting.shepherd_pid = 300;
        JobReport ended = ended_report();
        ended.end->reason = "two\nlines";  // escaped in the JSON, so still one line
        const std::string first = encode_job_report(starting);
        const std::string last = encode_job_report(ended);
        CHECK(first.find('\n') == first.size() - 1);
        CHECK(last.find('\n') == last.size() - 1);

        std::string error;
        auto read = decode_job_report(first + last, error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == ended);
        // An append under way is passed over until its newline is there.
        read = decode_job_report(first + last.substr(0, last.size() / 2), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == starting);
        // A report of an older runner: one JSON document over several lines.
        read = decode_job_report(json::parse(last).dump(1) + "\n", error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == ended);
        // A broken last line is an error, not an older report.
        CHECK_FALSE(decode_job_report(first + "{\"state\": \"done\"}\n", error).has_value());
        CHECK(error.find("state") != std::string::npos);
    }

    TEST_CASE("a bad start order gives an error naming the field, never an exception") {
        auto changed = [](auto change) {
            json document = json::parse(encode_start_order(full_order()));
            change(document);
            return document.dump();
        };
        check_refused(decode_start_order, "", "parse error");
        check_refused(decode_start_order, "\"start\"", "the document: expected an object");
        check_refused(decode_start_order, changed([](json& d) { d.erase("spec"); }), "spec: missing");
        check_refused(decode_start_order, changed([](json& d) { d["spec"]["id"] = "-x.261123101500"; }),
                      "spec.id");
        check_refused(decode_start_order, changed([](json& d) { d["spec"]["directives"]["tpip"] = 0; }),
                      "spec.directives.tpip");
        check_refused(decode_start_order, changed([](json& d) { d.erase("placement"); }),
                      "placement: missing");
        check_refused(decode_start_order, changed([](json& d) { d["placement"] = nullptr; }),
                      "placement: expected an object");
        check_refused(decode_start_order, changed([](json& d) {
                          d["placement"] = json{{"cpus", json::array()}, {"nodes", json::array()}};
                      }),
                      "placement.cpus: expected at least one CPU");
        check_refused(decode_start_order, changed([](json& d) { d["placement"]["cpus"][0] = -3; }),
                      "placement.cpus[0]");
        check_refused(decode_start_order, changed([](json& d) { d["cancel_grace_seconds"] = "5"; }),
                      "cancel_grace_seconds: expected a number");
        check_refused(decode_start_order, changed([](json& d) { d["cancel_grace_seconds"] = -1; }),
                      "cancel_grace_seconds");
        check_refused(decode_start_order, changed([](json& d) { d.erase("dispatched"); }),
                      "dispatched: missing");
        check_refused(decode_start_order, changed([](json& d) { d["dispatched"] = 1.5; }), "dispatched");
    }

    TEST_CASE("a bad cancel order gives an error naming the field, never an exception") {
        check_refused(decode_cancel_order, "{", "parse error");
        check_refused(decode_cancel_order, "[1]", "the document: expected an object");
        check_refused(decode_cancel_order, "{}", "reason: missing");
        check_refused(decode_cancel_order, R"({"reason":null})", "reason: expected a string");
        check_refused(decode_cancel_order, R"({"reason":{"hex":"4"}})", "reason");
    }

    TEST_CASE("a bad report gives an error naming the field, never an exception") {
        auto changed = [](auto change) {
            json document = json::parse(encode_job_report(ended_report()));
            change(document);
            return document.dump();
        };
        check_refused(decode_job_report, "nul", "parse error");
        check_refused(decode_job_report, changed([](json& d) { d["state"] = "done"; }),
                      "state: expected starting, running or ended");
        check_refused(decode_job_report, changed([](json& d) { d["state"] = 2; }),
                      "state: expected a string");
        check_refused(decode_job_report, changed([](json& d) { d["shepherd_pid"] = -1; }), "shepherd_pid");
        check_refused(decode_job_report, changed([](json& d) { d["shepherd_pid"] = 1; }), "shepherd_pid");
        check_refused(decode_job_report, changed([](json& d) { d["shepherd_pid"] = 4294967296LL; }),
                      "shepherd_pid");
        check_refused(decode_job_report, changed([](json& d) { d["shepherd_start"] = -5; }),
                      "shepherd_start");
        check_refused(decode_job_report, changed([](json& d) { d.erase("job_pgid"); }), "job_pgid: missing");
        check_refused(decode_job_report, changed([](json& d) { d["job_pgid"] = 1; }), "job_pgid");
        check_refused(decode_job_report, changed([](json& d) { d["job_pgid"] = -41240; }), "job_pgid");
        check_refused(decode_job_report, changed([](json& d) { d["started"] = true; }), "started");
        check_refused(decode_job_report, changed([](json& d) { d["end"]["outcome"] = "EXITED"; }),
                      "end.outcome");
        check_refused(decode_job_report, changed([](json& d) { d["end"].erase("at"); }), "end.at: missing");
    }

    TEST_CASE("the file names of a node's directory end in .start, .cancel and .state") {
        CHECK(std::string("alice.261123101500") + std::string(start_suffix) == "alice.261123101500.start");
        CHECK(cancel_suffix == ".cancel");
        CHECK(state_suffix == ".state");
    }
}
