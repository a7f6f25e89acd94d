#include "lobosq/scheduler/job_table.hpp"

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "time_zone.hpp"

using namespace lobos;
using namespace std::chrono;

namespace {

StatusClock::time_point on_nov(int day, hours h, minutes m) {
    return sys_days(2026y / November / std::chrono::day(static_cast<unsigned>(day))) + h + m;
}

JobView running(std::string id, std::vector<int> cpus, StatusClock::time_point start, seconds run) {
    JobView view;
    view.id = std::move(id);
    view.user = view.id.substr(0, view.id.find('.'));
    view.state = "running";
    view.nprocs_low = view.nprocs_high = static_cast<int>(cpus.size());
    view.cpus = std::move(cpus);
    view.start = start;
    view.etime = 1h;
    view.run = run;
    return view;
}

JobView waiting(std::string id, int low, int high, std::optional<StatusClock::time_point> start,
                WaitReason why) {
    JobView view;
    view.id = std::move(id);
    view.user = view.id.substr(0, view.id.find('.'));
    view.state = "waiting";
    view.nprocs_low = low;
    view.nprocs_high = high;
    view.start = start;
    view.start_estimated = start.has_value();
    view.etime = 90min;
    view.why = std::move(why);
    return view;
}

WaitReason needs(int cpus, int free) {
    WaitReason why;
    why.code = WaitCode::needs_cpus;
    why.nprocs_low = why.nprocs_high = cpus;
    why.free_cpus = free;
    return why;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_SUITE("job table") {
    TEST_CASE("an empty queue says so in one line") {
        CHECK(format_job_table(JobDetail{{}, "master1", 16, 16, {}}, on_nov(23, 10h, 0min)) ==
              "no jobs waiting or running\n");
    }

    TEST_CASE("running and waiting jobs are shown in aligned columns with a summary") {
        test::TimeZone zone("UTC0");
        JobDetail detail{{}, "master1", 16, 14, {}};
        detail.jobs = {running("alice.261123101500", {1, 3}, on_nov(23, 10h, 15min), 1h + 2min + 3s),
                       waiting("bob.261123101700", 4, 4, on_nov(23, 11h, 17min), needs(4, 2)),
                       waiting("carol.261123101800", 2, 8, on_nov(24, 10h, 15min),
                               behind("bob.261123101700", on_nov(23, 11h, 17min)))};
        const std::string table = format_job_table(detail, on_nov(23, 11h, 17min));
        CHECK(table ==
              R"(JOBID               USER   STATE    CPUS  START            ETIME      RUN  CPUS-HELD  WHY
alice.261123101500  alice  running     2  10:15          1:00:00  1:02:03  1,3
bob.261123101700    bob    waiting     4  ~11:17         1:30:00        -  -          needs 4 CPUs, 2 free
carol.261123101800  carol  waiting   2-8  ~Nov 24 10:15  1:30:00        -  -          behind bob.261123101700 (starts 11:17)
3 jobs: 1 running on 2 CPUs, 2 waiting; 14 of 16 CPUs free
)");
    }

    TEST_CASE("every row has its columns where the header has them") {
        test::TimeZone zone("UTC0");
        JobDetail detail{{}, "master1", 16, 9, {}};
        detail.jobs = {
            running("a.261123101500", {1, 3, 5, 7, 9, 11, 13}, on_nov(20, 9h, 5min), 80h),
            waiting("someone_long.261123101700", 1, 128, std::nullopt, held_until(on_nov(24, 9h, 0min)))};
        const std::vector<std::string> lines = lines_of(format_job_table(detail, on_nov(23, 12h, 0min)));
        REQUIRE(lines.size() == 4);
        const std::size_t state = lines[0].find("STATE");
        const std::size_t start = lines[0].find("START");
        const std::size_t held = lines[0].find("CPUS-HELD");
        for (std::size_t i = 1; i < 3; ++i) {
            CAPTURE(lines[i]);
            CHECK(lines[i].substr(state, 7) == (i == 1 ? "running" : "waiting"));
            CHECK(lines[i][start - 1] == ' ');
            CHECK(lines[i][start] != ' ');
            CHECK(lines[i][held] != ' ');
            CHECK(lines[i].back() != ' ');
        }
        CHECK(lines[1].find("Nov 20 09:05") == start);
        CHECK(lines[1].find("80:00:00") != std::string::npos);
        CHECK(lines[2].find("1-128") != std::string::npos);
        CHECK(lines[2].substr(start, 2) == "- ");
        CHECK(lines[3] == "2 jobs: 1 running on 7 CPUs, 1 waiting; 9 of 16 CPUs free");
    }

    TEST_CASE("a queue of running jobs only has no column for why") {
        test::TimeZone zone("UTC0");
        JobDetail detail{
            {}, "master1", 2, 1, {running("alice.261123101500", {2}, on_nov(23, 10h, 0min), 0s)}};
        const std::string table = format_job_table(detail, on_nov(23, 10h, 0min));
        CHECK(table.find("WHY") == std::string::npos);
        CHECK(table.ends_with("1 job: 1 running on 1 CPU, 0 waiting; 1 of 2 CPUs free\n"));
    }

    TEST_CASE("a start on another day shows its date, in local time") {
        test::TimeZone zone("EST5");
        // 03:00 UTC on the 24th is 22:00 on the 23rd in EST: still today for someone there.
        JobDetail detail{
            {}, "master1", 4, 0, {running("alice.261123101500", {1, 2, 3, 4}, on_nov(24, 3h, 0min), 5s)}};
        CHECK(format_job_table(detail, on_nov(23, 23h, 0min)).find("  22:00  ") != std::string::npos);
        CHECK(format_job_table(detail, on_nov(24, 12h, 0min)).find("  Nov 23 22:00  ") != std::string::npos);
    }
}
