#include "share/formats/job_id.hpp"

#include <chrono>

#include <doctest/doctest.h>

#include "time_zone.hpp"

using namespace lobos;
using namespace std::chrono;

TEST_SUITE("job id") {
    TEST_CASE("a job id is the user and the submission's local time as yymmddhhmmss") {
        test::TimeZone zone("UTC0");
        const WallTime when = sys_days(2026y / November / 23) + 10h + 15min + 0s + 750ms;
        CHECK(make_job_id("alice", when) == "alice.261123101500");
        CHECK(make_job_id("billings", sys_days(1997y / October / 8) + 16h + 18min + 3s) ==
              "billings.971008161803");
    }

    TEST_CASE("the id follows the local time zone, not UTC") {
        test::TimeZone zone("EST5");
        CHECK(make_job_id("alice", sys_days(2026y / November / 23) + 3h) == "alice.261122220000");
    }

    TEST_CASE("ids made for valid user names are valid and give the user back") {
        test::TimeZone zone("UTC0");
        for (const char* user : {"alice", "billings", "a", "first.last", "svc-build_2", "_apt", "ALICE"}) {
            CAPTURE(user);
            const std::string id = make_job_id(user, sys_days(2026y / January / 2) + 3h);
            CHECK(is_job_id(id));
            CHECK(job_id_user(id) == std::string(user));
        }
        CHECK(job_id_user("first.last.261123101500") == "first.last");
    }

    TEST_CASE("an id that could be a path, an option or a short stamp is not a job id") {
        for (const char* text : {"../x.261123101500", "alice.2611231015", "-x.261123101500",
                                 ".x.261123101500", "a/b.261123101500", "alice", "alice.", ".261123101500",
                                 "alice.26112310150x", "alice.2611231015000", "al ice.261123101500",
                                 "alice.261123101500\n", "alice$.261123101500", "é.261123101500", ""}) {
            CAPTURE(text);
            CHECK_FALSE(is_job_id(text));
            CHECK_FALSE(job_id_user(text).has_value());
        }
    }

    TEST_CASE("a user name of up to 32 characters makes a job id, a longer one does not") {
        CHECK(is_job_id(std::string(32, 'u') + ".261123101500"));
        CHECK_FALSE(is_job_id(std::string(33, 'u') + ".261123101500"));
    }
}
