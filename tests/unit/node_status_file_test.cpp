#include <chrono>
#include <string>

#include <doctest/doctest.h>

#include "share/formats/node_status.hpp"
#include "time_zone.hpp"

using namespace lobos;
using namespace std::chrono;

namespace {

WallTime utc(year_month_day date, hours h, minutes m, seconds s) { return sys_days(date) + h + m + s; }

constexpr year_month_day sep20_1997 = 1997y / September / 20;

NodeStatus spec_sample() {
    NodeStatus status;
    status.written = utc(sep20_1997, 13h, 53min, 4s);
    status.nodes.push_back({"pe1", true, utc(sep20_1997, 1h, 53min, 4s)});
    WallTime links_since = utc(sep20_1997, 10h, 50min, 24s);
    status.links.push_back({"pe1", "pe2", "165.112.185.1", "165.112.185.2", true, links_since});
    status.links.push_back({"pe1", "hub1", "165.112.185.1", "231.231.231.231", true, links_since});
    status.links.push_back({"master2", "master1", "165.112.184.12", "165.112.184.11", true, links_since});
    return status;
}

void check_same_states(const NodeStatus& read, const NodeStatus& written) {
    CHECK(read.written == written.written);
    REQUIRE(read.nodes.size() == written.nodes.size());
    for (std::size_t i = 0; i < read.nodes.size(); ++i) {
        CAPTURE(i);
        CHECK(read.nodes[i].name == written.nodes[i].name);
        CHECK(read.nodes[i].up == written.nodes[i].up);
        CHECK(read.nodes[i].since == written.nodes[i].since);
    }
    REQUIRE(read.links.size() == written.links.size());
    for (std::size_t i = 0; i < read.links.size(); ++i) {
        CAPTURE(i);
        const LinkState& a = read.links[i];
        const LinkState& b = written.links[i];
        CHECK(a.name1 == b.name1);
        CHECK(a.name2 == b.name2);
        CHECK(a.ip1 == b.ip1);
        CHECK(a.ip2 == b.ip2);
        CHECK(a.up == b.up);
        CHECK(a.since == b.since);
    }
}

}  // namespace

TEST_SUITE("node_status") {
    TEST_CASE("node_status is written as the SPEC sample: header, node lines, then link lines") {
        test::TimeZone zone("UTC");
        CHECK(format_node_status(spec_sample()) ==
              "# Node status file\n"
              "# Version 0.10 Date: Sat Sep 20 13:53:04 1997\n"
              "node 01:53:04 pe1 1\n"
              "link 10:50:24 pe1 pe2 165.112.185.1 165.112.185.2 1\n"
              "link 10:50:24 pe1 hub1 165.112.185.1 231.231.231.231 1\n"
              "link 10:50:24 master2 master1 165.112.184.12 165.112.184.11 1\n");
    }

    TEST_CASE("everything is up only when some node is named and no node or link is down") {
        NodeStatus status = spec_sample();
        CHECK(everything_up(status));
        status.links[1].up = false;
        CHECK_FALSE(everything_up(status));
        status = spec_sample();
        status.nodes[0].up = false;
        CHECK_FALSE(everything_up(status));
        CHECK_FALSE(everything_up(NodeStatus{}));
    }

    TEST_CASE("every node line comes before every link line, and down is written as 0") {
        test::TimeZone zone("UTC");
        NodeStatus status = spec_sample();
        status.nodes.push_back({"pe2", false, utc(sep20_1997, 0h, 0min, 0s)});
        status.links[0].up = false;
        std::string text = format_node_status(status);
        CHECK(text.find("node 01:53:04 pe1 1\nnode 00:00:00 pe2 0\nlink 10:50:24 pe1 pe2") !=
              std::string::npos);
        CHECK(text.find("link 10:50:24 pe1 pe2 165.112.185.1 165.112.185.2 0\n") != std::string::npos);
    }

    TEST_CASE("the day of the month is not padded in the header date, as in LoBoS's files") {
        test::TimeZone zone("UTC");
        NodeStatus status;
        status.written = utc(1997y / October / 8, 16h, 23min, 0s);
        CHECK(format_node_status(status) ==
              "# Node status file\n# Version 0.10 Date: Wed Oct 8 16:23:00 1997\n");
    }

    TEST_CASE("times are written in the process's local time zone") {
        // Two hours east of UTC, as a POSIX TZ string (no zoneinfo needed).
        test::TimeZone zone("LOB-2");
        std::string text = format_node_status(spec_sample());
        CHECK(text.find("# Version 0.10 Date: Sat Sep 20 15:53:04 1997\n") != std::string::npos);
        CHECK(text.find("node 03:53:04 pe1 1\n") != std::string::npos);
        CHECK(text.find("link 12:50:24 pe1 pe2 ") != std::string::npos);
    }

    TEST_CASE("node_status read back gives the same states, times and header date") {
        for (const char* tz : {"UTC", "LOB-2", "LOB+5"}) {
            CAPTURE(tz);
            test::TimeZone zone(tz);
            NodeStatus status = spec_sample();
            NodeStatusRead read = parse_node_status(format_node_status(status), status.written);
            CHECK(read.skipped_lines == 0);
            check_same_states(read.status, status);
        }
    }

    TEST_CASE("a time of day later than now was yesterday: a change just before midnight") {
        test::TimeZone zone("UTC");
        WallTime now = utc(1997y / October / 1, 0h, 0min, 30s) + 250ms;
        NodeStatusRead read = parse_node_status(
            "node 23:59:58 pe1 0\n"
            "node 00:00:30 pe2 1\n"
            "link 00:00:10 pe1 pe2 165.112.185.1 165.112.185.2 1\n",
            now);
        REQUIRE(read.status.nodes.size() == 2);
        CHECK(read.status.nodes[0].since == utc(1997y / September / 30, 23h, 59min, 58s));
        CHECK(read.status.nodes[1].since == utc(1997y / October / 1, 0h, 0min, 30s));
        REQUIRE(read.status.links.size() == 1);
        CHECK(read.status.links[0].since == utc(1997y / October / 1, 0h, 0min, 10s));
        // No header: the file does not say when it was written.
        CHECK(read.status.written == WallTime{});
    }

    TEST_CASE("lines that do not parse are skipped and counted; comments and blank lines are not") {
        test::TimeZone zone("UTC");
        NodeStatusRead read = parse_node_status(
            "# Node status file\r\n"
            "# Version 0.10 Date: Sat Sep 20 13:53:04 1997\r\n"
            "\r\n"
            "node 01:53:04 pe1 1\r\n"
            "node 25:00:00 pe2 1\n"
            "node 01:00:00 pe3 2\n"
            "node 1:00:00 pe4 1\n"
            "node 01:00:00 pe5\n"
            "node 01:00:00 pe6 1 extra\n"
            "link 01:00:00 pe1 pe2 165.112.185.1 1\n"
            "link 10:50:24\tpe1   pe2 165.112.185.1 165.112.185.2 0\n"
            "hello world\n"
            "node\n"
            "   # an indented comment\n"
            "\x01\x02\xff garbage",
            utc(sep20_1997, 13h, 53min, 4s));
        CHECK(read.skipped_lines == 9);
        REQUIRE(read.status.nodes.size() == 1);
        CHECK(read.status.nodes[0].name == "pe1");
        CHECK(read.status.nodes[0].since == utc(sep20_1997, 1h, 53min, 4s));
        REQUIRE(read.status.links.size() == 1);
        CHECK(read.status.links[0].up == false);
        CHECK(read.status.links[0].ip2 == "165.112.185.2");
        CHECK(read.status.written == utc(sep20_1997, 13h, 53min, 4s));
    }

    TEST_CASE("an empty node_status reads as no nodes and no links") {
        NodeStatusRead read = parse_node_status("", system_clock::now());
        CHECK(read.status.nodes.empty());
        CHECK(read.status.links.empty());
        CHECK(read.skipped_lines == 0);
    }
}
