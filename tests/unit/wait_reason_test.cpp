#include "share/formats/wait_reason.hpp"

#include <vector>

#include <doctest/doctest.h>

#include "share/formats/json_fields.hpp"
#include "time_zone.hpp"

using namespace lobos;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// 1'800'000'000 is Fri 2027-01-15 08:00:00 UTC.
const WallTime now = WallTime(std::chrono::seconds(1'800'000'000));

WaitReason wanting(WaitCode code, int low, int high, int tpip, int free, NodeFaults faults) {
    WaitReason why;
    why.code = code;
    why.nprocs_low = low;
    why.nprocs_high = high;
    why.tpip = tpip;
    why.free_cpus = code == WaitCode::needs_cpus ? free : 0;
    why.faults = std::move(faults);
    return why;
}

WaitReason capped(int cap) {
    WaitReason why;
    why.code = WaitCode::user_cap;
    why.cap = cap;
    return why;
}

WaitReason nproc0_held(int cpu) {
    WaitReason why;
    why.code = WaitCode::nproc0_busy;
    why.cpu = cpu;
    return why;
}

WaitReason of_code(WaitCode code) {
    WaitReason why;
    why.code = code;
    return why;
}

// One of each code, times to the nanosecond.
std::vector<WaitReason> every_reason() {
    return {
        of_code(WaitCode::none),
        held_until(now + 15h + 123ns),
        wanting(WaitCode::cannot_place, 8, 8, 2, 0, {{"down", {"n4"}, 0}, {"unreachable", {"n2", "n3"}, 7}}),
        capped(4),
        behind("bob.261123101700", now + 10h + 23min),
        nproc0_held(3),
        wanting(WaitCode::needs_cpus, 4, 8, 1, 5, {}),
        of_code(WaitCode::not_planned)};
}

}  // namespace

TEST_SUITE("wait reason") {
    TEST_CASE("each code renders as lobosq has always said it") {
        test::TimeZone zone("UTC0");
        CHECK(render_wait_reason(WaitReason{}, now).empty());
        CHECK(render_wait_reason(held_until(now + 15h), now) == "held until 23:00 (#RTIME)");
        CHECK(render_wait_reason(behind("bob.1", now + 10h + 23min), now) == "behind bob.1 (starts 18:23)");
        CHECK(render_wait_reason(behind("bob.1", now + 24h), now) == "behind bob.1 (starts Jan 16 08:00)");
        CHECK(render_wait_reason(capped(4), now) == "user cap 4 reached");
        CHECK(render_wait_reason(nproc0_held(3), now) == "NPROC0 CPU 3 is busy");
        CHECK(render_wait_reason(wanting(WaitCode::needs_cpus, 8, 8, 1, 5, {{"down", {"n05"}, 0}}), now) ==
              "needs 8 CPUs, 5 free; n05 down");
        CHECK(render_wait_reason(wanting(WaitCode::needs_cpus, 1, 1, 1, 0, {}), now) ==
              "needs 1 CPU, 0 free");
        CHECK(render_wait_reason(wanting(WaitCode::needs_cpus, 2, 8, 2, 1, {}), now) ==
              "needs 2-8 CPUs (2 a node), 1 free");
        CHECK(render_wait_reason(wanting(WaitCode::cannot_place, 8, 8, 2, 0,
                                         {{"down", {"n4"}, 0}, {"unreachable", {"n2", "n3"}, 7}}),
                                 now) ==
              "needs 8 CPUs (2 a node); the nodes up now cannot give them; n4 down; n2, n3 and 7 more "
              "unreachable");
        CHECK(render_wait_reason(wanting(WaitCode::cannot_place, 8, 8, 1, 0, {}), now) ==
              "needs 8 CPUs; the nodes up now cannot give them");
        CHECK(render_wait_reason(of_code(WaitCode::not_planned), now) == "not planned yet");
    }

    TEST_CASE("one reason renders in the time zone of whoever reads it") {
        const WaitReason why = held_until(now + 15h);
        std::string in_utc, in_india, in_brazil;
        {
            test::TimeZone zone("UTC0");
            in_utc = render_wait_reason(why, now);
        }
        {
            test::TimeZone zone("<+0530>-5:30");
            in_india = render_wait_reason(why, now);
        }
        {
            test::TimeZone zone("<-03>3");
            in_brazil = render_wait_reason(why, now);
        }
        CHECK(in_utc == "held until 23:00 (#RTIME)");
        CHECK(in_india == "held until Jan 16 04:30 (#RTIME)");  // already tomorrow there
        CHECK(in_brazil == "held until 20:00 (#RTIME)");
    }

    TEST_CASE("every code reads back from its JSON exactly, times to the nanosecond") {
        for (const WaitReason& why : every_reason()) {
            CAPTURE(code_name(why.code));
            const json written = json::parse(wait_reason_json(why).dump());
            CHECK(written["code"] == code_name(why.code));
            CHECK(read_wait_reason(written, "why") == why);
        }
        const json behind_json = wait_reason_json(behind("bob.1", now));
        CHECK(behind_json ==
              json{{"code", "behind"}, {"ahead", "bob.1"}, {"when", 1'800'000'000'000'000'000LL}});
    }

    TEST_CASE("a bad reason is an error naming the field") {
        auto error_of = [](const json& value) -> std::string {
            try {
                read_wait_reason(value, "jobs[1].why");
            } catch (const json_fields::FieldError& e) {
                return e.message;
            }
            return "";
        };
        CHECK(error_of(json("needs 4 CPUs")).find("jobs[1].why: expected an object") == 0);
        CHECK(error_of(json::object()) == "jobs[1].why.code: missing");
        CHECK(error_of(json{{"code", "bored"}}).find("jobs[1].why.code: expected") == 0);
        CHECK(error_of(json{{"code", "behind"}, {"when", 1}}) == "jobs[1].why.ahead: missing");
        CHECK(error_of(json{{"code", "user_cap"}, {"cap", "four"}}).find("jobs[1].why.cap") == 0);
        CHECK(error_of(json{{"code", "not_planned"}}).empty());
        json bad_fault = wait_reason_json(wanting(WaitCode::needs_cpus, 2, 2, 1, 0, {{"down", {"n4"}, 0}}));
        bad_fault["faults"][0]["nodes"][0] = 4;
        CHECK(error_of(bad_fault).find("jobs[1].why.faults[0].nodes[0]") == 0);
    }

    TEST_CASE("each code has one name, and names read back as their code") {
        for (const WaitReason& why : every_reason()) CHECK(wait_code_named(code_name(why.code)) == why.code);
        CHECK_FALSE(wait_code_named("None").has_value());
    }
}
