#include <chrono>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "share/formats/job_status.hpp"
#include "time_zone.hpp"

using namespace lobos;
using namespace std::chrono;
using nlohmann::json;

namespace {

StatusClock::time_point utc(year_month_day date, hours h, minutes m, seconds s) {
    return sys_days(date) + h + m + s;
}

constexpr year_month_day oct8_1997 = 1997y / October / 8;

const std::string spec_sample =
    "# Job Status Date:Wed Oct 8 16:23:00 1997\n"
    "# job id uid gid pri CPUs Start Time Est Time Act Time cpus\n"
    "billings.971008161803 260 9000 1 2 1997 Oct 08 18:23:00 1:00:00 0:00:00 1,3\n";

JobStatusLine sample_line() {
    return JobStatusLine{"billings.971008161803",        260, 9000, 1,     2,
                         utc(oct8_1997, 18h, 23min, 0s), 1h,  0s,   {1, 3}};
}

JobView running_view() {
    JobView view;
    view.id = "alice.261123101500";
    view.user = "alice";
    view.uid = 1001;
    view.gid = 100;
    view.state = "running";
    view.priority = 2;
    view.nprocs_low = 2;
    view.nprocs_high = 8;
    view.tpip = 2;
    view.cpus = {3, 4, 1, 2};
    view.nodes = {"pe2", "pe1"};
    view.submitted = StatusClock::time_point(milliseconds(1'795'400'100'250));
    view.start = StatusClock::time_point(seconds(1'795'400'160));
    view.etime = 30min;
    view.run = 95s;
    view.dir = "/home/alice/runs";
    return view;
}

JobView waiting_view() {
    JobView view;
    view.id = "bob.261123101700";
    view.user = "bob";
    view.uid = 1002;
    view.gid = 100;
    view.state = "waiting";
    view.nprocs_low = 4;
    view.nprocs_high = 4;
    view.submitted = StatusClock::time_point(seconds(1'795'400'220));
    view.start = StatusClock::time_point(seconds(1'795'401'960));
    view.start_estimated = true;
    view.etime = 1h;
    view.why.code = WaitCode::needs_cpus;
    view.why.nprocs_low = view.why.nprocs_high = 4;
    view.why.free_cpus = 2;
    view.dir = "/home/bob";
    return view;
}

JobDetail full_detail() {
    return JobDetail{StatusClock::time_point(milliseconds(1'795'400'255'500)),
                     "master1",
                     16,
                     12,
                     {running_view(), waiting_view()}};
}

}  // namespace

TEST_SUITE("job_status") {
    TEST_CASE("job_status is written as the SPEC sample: date header, column header, one line a job") {
        test::TimeZone zone("UTC0");
        JobStatus status{utc(oct8_1997, 16h, 23min, 0s), {sample_line()}};
        CHECK(format_job_status(status) == spec_sample);
    }

    TEST_CASE("the SPEC sample reads back and is written again identically") {
        test::TimeZone zone("UTC0");
        JobStatusRead read = parse_job_status(spec_sample);
        CHECK(read.skipped_lines == 0);
        CHECK(read.status.written == utc(oct8_1997, 16h, 23min, 0s));
        REQUIRE(read.status.jobs.size() == 1);
        CHECK(read.status.jobs[0] == sample_line());
        CHECK(format_job_status(read.status) == spec_sample);
    }

    TEST_CASE("times are local: the same moment is written as the clock on the wall shows it") {
        test::TimeZone zone("EST5");
        JobStatus status{utc(oct8_1997, 21h, 23min, 0s), {sample_line()}};
        status.jobs[0].start = utc(oct8_1997, 23h, 23min, 0s);
        CHECK(format_job_status(status) == spec_sample);
        CHECK(parse_job_status(spec_sample).status.jobs[0].start == status.jobs[0].start);
    }

    TEST_CASE("a waiting job holds no CPUs and is written with '-'") {
        test::TimeZone zone("UTC0");
        JobStatusLine waiting{
            "bob.971008162000", 261, 9000, 1, 4, utc(oct8_1997, 19h, 23min, 0s), 90min, 0s, {}};
        JobStatus status{utc(oct8_1997, 16h, 23min, 0s), {sample_line(), waiting}};
        const std::string text = format_job_status(status);
        CHECK(text.ends_with("bob.971008162000 261 9000 1 4 1997 Oct 08 19:23:00 1:30:00 0:00:00 -\n"));
        JobStatusRead read = parse_job_status(text);
        CHECK(read.skipped_lines == 0);
        REQUIRE(read.status.jobs.size() == 2);
        CHECK(read.status.jobs[1] == waiting);
    }

    TEST_CASE("durations are H:MM:SS with hours past 24, and a negative one is 0:00:00") {
        test::TimeZone zone("UTC0");
        JobStatusLine line = sample_line();
        line.estimated = 100h + 2min + 3s;
        line.actual = -5s;
        const std::string text = format_job_status({utc(oct8_1997, 16h, 23min, 0s), {line}});
        CHECK(text.find(" 100:02:03 0:00:00 1,3\n") != std::string::npos);
        line.actual = 0s;
        CHECK(parse_job_status(text).status.jobs.at(0) == line);
    }

    TEST_CASE("the date header leaves the day unpadded, the start time pads it") {
        test::TimeZone zone("UTC0");
        JobStatusLine line = sample_line();
        line.start = utc(2026y / November / 3, 9h, 5min, 7s);
        const std::string text = format_job_status({utc(2026y / November / 3, 8h, 0min, 0s), {line}});
        CHECK(text.starts_with("# Job Status Date:Tue Nov 3 08:00:00 2026\n"));
        CHECK(text.find(" 2026 Nov 03 09:05:07 ") != std::string::npos);
    }

    TEST_CASE("an empty queue is the two header lines") {
        test::TimeZone zone("UTC0");
        CHECK(format_job_status({utc(oct8_1997, 16h, 23min, 0s), {}}) ==
              "# Job Status Date:Wed Oct 8 16:23:00 1997\n"
              "# job id uid gid pri CPUs Start Time Est Time Act Time cpus\n");
    }

    TEST_CASE("lines that do not parse are skipped and counted, the good ones kept") {
        test::TimeZone zone("UTC0");
        const std::string good =
            "billings.971008161803 260 9000 1 2 1997 Oct 08 18:23:00 1:00:00 0:00:00 1,3\n";
        const std::string text =
            spec_sample +
            "billings.971008161803 260 9000 1 2 1997 Oct 08 18:23:00 1:00:00 0:00:00\n"  // short
            "x -1 9000 1 2 1997 Oct 08 18:23:00 1:00:00 0:00:00 1,3\n"                   // uid
            "x 260 9000 one 2 1997 Oct 08 18:23:00 1:00:00 0:00:00 1,3\n"                // priority
            "x 260 9000 1 2 1997 Okt 08 18:23:00 1:00:00 0:00:00 1,3\n"                  // month
            "x 260 9000 1 2 1997 Oct 32 18:23:00 1:00:00 0:00:00 1,3\n"                  // day
            "x 260 9000 1 2 1997 Oct 08 25:23:00 1:00:00 0:00:00 1,3\n"                  // hour
            "x 260 9000 1 2 1997 Oct 08 18:23:00 1:60:00 0:00:00 1,3\n"                  // minutes
            "x 260 9000 1 2 1997 Oct 08 18:23:00 1:00 0:00:00 1,3\n"                     // duration
            "x 260 9000 1 2 1997 Oct 08 18:23:00 1:00:00 0:00:00 1,,3\n"                 // cpus
            "x 260 9000 1 2 1997 Oct 08 18:23:00 1:00:00 0:00:00 0\n"                    // cpu 0
            "\n   \n# a note\n" +
            good;
        JobStatusRead read = parse_job_status(text);
        CHECK(read.skipped_lines == 10);
        REQUIRE(read.status.jobs.size() == 2);
        CHECK(read.status.jobs[1] == sample_line());
    }

    TEST_CASE("tabs and CRLF line ends are read like spaces") {
        test::TimeZone zone("UTC0");
        JobStatusRead read = parse_job_status(
            "# Job Status Date:Wed Oct 8 16:23:00 1997\r\n"
            "billings.971008161803\t260 9000 1 2 1997 Oct 08 18:23:00  1:00:00 0:00:00 1,3\r\n");
        CHECK(read.skipped_lines == 0);
        REQUIRE(read.status.jobs.size() == 1);
        CHECK(read.status.jobs[0] == sample_line());
        CHECK(read.status.written == utc(oct8_1997, 16h, 23min, 0s));
    }
}

TEST_SUITE("job_detail") {
    TEST_CASE("the job detail reads back as every job written") {
        const JobDetail detail = full_detail();
        std::string error;
        std::optional<JobDetail> read = parse_job_detail(format_job_detail(detail), error);
        REQUIRE_MESSAGE(read.has_value(), error);
        CHECK(*read == detail);
    }

    TEST_CASE("the job detail has the documented shape, times in unix seconds") {
        json document = json::parse(format_job_detail(full_detail()));
        CHECK(document["written"] == 1'795'400'255.5);
        CHECK(document["writer"] == "master1");
        CHECK(document["cluster_cpus"] == 16);
        CHECK(document["free_cpus"] == 12);
        REQUIRE(document["jobs"].size() == 2);
        const json& running = document["jobs"][0];
        CHECK(running["state"] == "running");
        CHECK(running["cpus"] == json::array({3, 4, 1, 2}));
        CHECK(running["nodes"] == json::array({"pe2", "pe1"}));
        CHECK(running["start"] == 1'795'400'160);
        CHECK(running["submitted"] == 1'795'400'100.25);
        CHECK(running["etime_seconds"] == 1800);
        CHECK(running["run_seconds"] == 95);
        CHECK(document["jobs"][1]["start_estimated"] == true);
        // Why a job waits is data; each reader says it in its own time zone.
        CHECK(document["jobs"][1]["why"]["code"] == "needs_cpus");
        CHECK(document["jobs"][1]["why"]["nprocs_low"] == 4);
        CHECK(document["jobs"][1]["why"]["free_cpus"] == 2);
        CHECK(document["jobs"][0]["why"] == json{{"code", "none"}});
    }

    TEST_CASE("an empty queue and a job without a start read back") {
        JobDetail detail{StatusClock::time_point(seconds(1)), "master2", 0, 0, {}};
        std::string error;
        CHECK(parse_job_detail(format_job_detail(detail), error) == detail);
        detail.jobs.push_back(waiting_view());
        detail.jobs[0].start.reset();
        detail.jobs[0].start_estimated = false;
        CHECK(parse_job_detail(format_job_detail(detail), error) == detail);
    }

    TEST_CASE("a bad job detail gives an error naming the field, never an exception") {
        auto changed = [](auto change) {
            json document = json::parse(format_job_detail(full_detail()));
            change(document);
            return document.dump();
        };
        std::vector<std::pair<std::string, std::string>> cases{
            {"", "parse error"},
            {"[", "parse error"},
            {"5", "the document: expected an object"},
            {changed([](json& d) { d.erase("written"); }), "written: missing"},
            {changed([](json& d) { d["written"] = "today"; }), "written: expected unix seconds"},
            {changed([](json& d) { d["written"] = 1e300; }), "written: expected unix seconds"},
            {changed([](json& d) { d["writer"] = 1; }), "writer: expected a string"},
            {changed([](json& d) { d["cluster_cpus"] = 1.5; }), "cluster_cpus"},
            {changed([](json& d) { d["free_cpus"] = -3e10; }), "free_cpus"},
            {changed([](json& d) { d["jobs"] = json::object(); }), "jobs: expected an array"},
            {changed([](json& d) { d["jobs"][1] = 7; }), "jobs[1]: expected an object"},
            {changed([](json& d) { d["jobs"][0].erase("id"); }), "jobs[0].id: missing"},
            {changed([](json& d) { d["jobs"][0]["uid"] = -1; }), "jobs[0].uid"},
            {changed([](json& d) { d["jobs"][1]["state"] = false; }), "jobs[1].state"},
            {changed([](json& d) { d["jobs"][0]["cpus"][2] = "1"; }), "jobs[0].cpus[2]"},
            {changed([](json& d) { d["jobs"][0]["nodes"] = "pe2"; }), "jobs[0].nodes"},
            {changed([](json& d) { d["jobs"][0]["nodes"][1] = nullptr; }), "jobs[0].nodes[1]"},
            {changed([](json& d) { d["jobs"][0]["start"] = "soon"; }), "jobs[0].start"},
            {changed([](json& d) { d["jobs"][0]["start_estimated"] = "no"; }), "jobs[0].start_estimated"},
            {changed([](json& d) { d["jobs"][0]["etime_seconds"] = 1.5; }), "jobs[0].etime_seconds"},
            {changed([](json& d) { d["jobs"][1].erase("why"); }), "jobs[1].why: missing"},
            {changed([](json& d) { d["jobs"][1]["why"] = "needs 4 CPUs"; }),
             "jobs[1].why: expected an object"},
            {changed([](json& d) { d["jobs"][1]["why"]["code"] = "bored"; }), "jobs[1].why.code"},
            {changed([](json& d) { d["jobs"][1]["why"].erase("free_cpus"); }),
             "jobs[1].why.free_cpus: missing"},
            {changed([](json& d) { d["jobs"][1]["dir"] = json::array(); }), "jobs[1].dir"},
        };
        for (const auto& [text, mention] : cases) {
            CAPTURE(text);
            std::string error;
            std::optional<JobDetail> detail;
            CHECK_NOTHROW(detail = parse_job_detail(text, error));
            CHECK_FALSE(detail.has_value());
            CAPTURE(error);
            CHECK(error.find(mention) != std::string::npos);
        }
    }
}
