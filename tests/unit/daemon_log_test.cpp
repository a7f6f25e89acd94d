#include "share/io/daemon_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

#include <doctest/doctest.h>

#include "tests/unit/time_zone.hpp"

using namespace lobos;
using namespace std::chrono_literals;

namespace {

// 2026-12-06 11:20:01.123 UTC.
std::chrono::system_clock::time_point at_11_20_01_123() {
    return std::chrono::system_clock::from_time_t(1796556001) + 123ms;
}

}  // namespace

TEST_SUITE("daemon log") {
    TEST_CASE("a log line carries the ISO-8601 time with milliseconds and offset, program, host and level") {
        test::TimeZone zone("UTC0");
        CHECK(daemon_log_line(at_11_20_01_123(), "lobosqd", "master1", LogLevel::warning, "text") ==
              "2026-12-06T11:20:01.123+00:00 lobosqd master1 warning: text");
        CHECK(daemon_log_line(at_11_20_01_123() - 123ms, "pulse", "n01", LogLevel::info, "up") ==
              "2026-12-06T11:20:01.000+00:00 pulse n01 info: up");
    }

    TEST_CASE("a log line shows the local time and the zone's offset, east and west, in hours and minutes") {
        {
            test::TimeZone zone("<+0530>-5:30");
            CHECK(daemon_log_line(at_11_20_01_123(), "pulse", "m", LogLevel::error, "x") ==
                  "2026-12-06T16:50:01.123+05:30 pulse m error: x");
        }
        {
            test::TimeZone zone("<-03>3");
            CHECK(daemon_log_line(at_11_20_01_123(), "pulse", "m", LogLevel::info, "x") ==
                  "2026-12-06T08:20:01.123-03:00 pulse m info: x");
        }
    }

    TEST_CASE(
        "the rate limit lets the first line of a key through and holds back repeats within the interval") {
        test::TimeZone zone("UTC0");
        LogRateLimit limit;
        const auto t0 = at_11_20_01_123();
        CHECK(limit.admit("disk", "cannot write: No space left", 10s, t0) == "cannot write: No space left");
        CHECK_FALSE(limit.admit("disk", "cannot write: No space left", 10s, t0 + 1s));
        CHECK_FALSE(limit.admit("disk", "cannot write: No space left", 10s, t0 + 5s));
        CHECK_FALSE(limit.admit("disk", "cannot write: No space left", 10s, t0 + 9s));
        // Another key is counted on its own.
        CHECK(limit.admit("lease", "lease: stale", 10s, t0 + 9s) == "lease: stale");
        CHECK(limit.admit("disk", "cannot write: again", 10s, t0 + 10s) ==
              "cannot write: again (3 more like this since 11:20:01)");
        // No repeats since: no count.
        CHECK(limit.admit("disk", "cannot write", 10s, t0 + 30s) == "cannot write");
    }

    TEST_CASE("a clock stepped back does not silence a key") {
        LogRateLimit limit;
        const auto t0 = at_11_20_01_123();
        CHECK(limit.admit("k", "a", 10s, t0));
        CHECK(limit.admit("k", "b", 10s, t0 - 60s) == "b");
    }

    TEST_CASE("the daemon log writes whole lines with the prefix and limits the keyed ones") {
        test::TimeZone zone("UTC0");
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        {
            DaemonLog log("pulse", "master1", fds[1]);
            log.warning("stepping down as primary: lease lost");
            const auto t0 = at_11_20_01_123();
            log.limited(LogLevel::error, "status", "cannot write status files", 10s, t0);
            log.limited(LogLevel::error, "status", "cannot write status files", 10s, t0 + 1s);
            log.limited(LogLevel::error, "status", "cannot write status files", 10s, t0 + 11s);
        }
        close(fds[1]);
        std::string out;
        char buffer[4096];
        for (int reads = 0; reads < 100; ++reads) {
            const ssize_t n = read(fds[0], buffer, sizeof buffer);
            if (n <= 0) break;
            out.append(buffer, static_cast<std::size_t>(n));
        }
        close(fds[0]);
        CHECK(out.find(" pulse master1 warning: stepping down as primary: lease lost\n") !=
              std::string::npos);
        CHECK(out.find("2026-12-06T11:20:01.123+00:00 pulse master1 error: cannot write status files\n") !=
              std::string::npos);
        CHECK(out.find(
                  "2026-12-06T11:20:12.123+00:00 pulse master1 error: cannot write status files (1 more like "
                  "this since 11:20:01)\n") != std::string::npos);
        CHECK(std::count(out.begin(), out.end(), '\n') == 3);
    }
}
