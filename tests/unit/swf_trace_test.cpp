#include "lobosq/replay/swf_trace.hpp"

#include <doctest/doctest.h>

using namespace lobos;

namespace {

// Two good jobs between header comments, a blank line and a bad line.
constexpr std::string_view small_trace =
    "; Version: 2.2\n"
    "; Computer: Intel iPSC/860\n"
    "; MaxProcs: 128\n"
    "; Note: There is no information on wait times - the given submit\n"
    ";       times are actually start times\n"
    ";\n"
    "    1        0     -1   1451  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1\n"
    "\n"
    "   57    25574     12     10   -1    2.5    -1    4    600    -1  1   4   1   2 -1 -1 -1 -1\r\n";

}  // namespace

TEST_CASE("a small trace gives its jobs with unknown fields as nullopt and its header as key and value") {
    const SwfRead read = parse_swf(small_trace);
    REQUIRE(read.ok());
    REQUIRE(read.jobs.size() == 2);

    const SwfJob& first = read.jobs[0];
    CHECK(first.line == 7);
    CHECK(first.number == 1);
    CHECK(first.submit == 0);
    CHECK_FALSE(first.wait);
    CHECK(first.run_time == 1451);
    CHECK(first.allocated == 128);
    CHECK_FALSE(first.requested);
    CHECK(first.processors() == 128);
    CHECK(first.user == 1);
    CHECK(first.group == 1);
    CHECK_FALSE(first.status);

    const SwfJob& second = read.jobs[1];
    CHECK(second.line == 9);
    CHECK(second.submit == 25574);
    CHECK(second.wait == 12);
    CHECK(second.cpu_time == doctest::Approx(2.5));
    CHECK(second.requested_time == 600);
    CHECK(second.status == 1);
    CHECK_FALSE(second.allocated);
    CHECK(second.processors() == 4);  // the requested processors when none are recorded as allocated

    REQUIRE(read.header.size() >= 4);
    CHECK(read.header[0] == std::pair<std::string, std::string>{"Version", "2.2"});
    CHECK(read.header[2] == std::pair<std::string, std::string>{"MaxProcs", "128"});
    CHECK(read.header[3].first == "Note");
}

TEST_CASE(
    "a bad line is reported with its line number and the field that is wrong, and the others still read") {
    const SwfRead read = parse_swf(
        "; header\n"
        "1 0 -1 100 2 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n"
        "2 5 -1 1x0 2 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n"
        "3 9 -1 100 2 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1\n"
        "4 12 -1 100 -3 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n"
        "-1 20 -1 100 2 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n"
        "6 30 -1 100 2 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n");
    REQUIRE(read.errors.size() == 4);
    CHECK(to_string(read.errors[0]) == "line 3: field 4 (run time) '1x0': not a whole number");
    CHECK(to_string(read.errors[1]) == "line 4: 17 fields; a job line has 18");
    CHECK(read.errors[1].field == 0);
    CHECK(to_string(read.errors[2]) ==
          "line 5: field 5 (allocated processors) '-3': negative (only -1, unknown, is allowed)");
    CHECK(to_string(read.errors[3]) == "line 6: field 1 (job number) '-1': unknown (-1), but required");
    REQUIRE(read.jobs.size() == 2);
    CHECK(read.jobs[0].number == 1);
    CHECK(read.jobs[1].number == 6);
    CHECK(read.jobs[1].line == 7);
}

TEST_CASE(
    "a fraction where a whole number belongs is an error, but average CPU time and memory may be "
    "fractional") {
    const SwfRead read = parse_swf(
        "1 0 -1 100 2 10.5 2048.25 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n"
        "2 0 -1 100.5 2 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n");
    REQUIRE(read.jobs.size() == 1);
    CHECK(read.jobs[0].memory == doctest::Approx(2048.25));
    REQUIRE(read.errors.size() == 1);
    CHECK(read.errors[0].line == 2);
    CHECK(read.errors[0].field == 4);
}

TEST_CASE("an empty text or one of comments only has no jobs and no errors") {
    CHECK(parse_swf("").jobs.empty());
    const SwfRead read = parse_swf("; only a header\n;\n\n");
    CHECK(read.ok());
    CHECK(read.jobs.empty());
}
