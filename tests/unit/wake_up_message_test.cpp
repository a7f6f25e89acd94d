#include "share/formats/wake_up_message.hpp"

#include <string>

#include <doctest/doctest.h>

using namespace lobos;

TEST_SUITE("wake-up message") {
    TEST_CASE("each kind's text reads back as that kind") {
        for (WakeUpKind kind : {WakeUpKind::spool, WakeUpKind::reports, WakeUpKind::orders}) {
            const std::string_view text = wake_up_text(kind);
            CHECK(text.starts_with("lobos look "));
            CHECK(text.size() <= wake_up_max_size);
            CHECK(parse_wake_up(text) == kind);
        }
    }

    TEST_CASE("the texts are the documented ones") {
        CHECK(wake_up_text(WakeUpKind::spool) == "lobos look spool");
        CHECK(wake_up_text(WakeUpKind::reports) == "lobos look reports");
        CHECK(wake_up_text(WakeUpKind::orders) == "lobos look orders");
    }

    TEST_CASE("anything but exactly a known text is no wake-up") {
        for (std::string junk : {"", "lobos look", "lobos look ", "lobos look spool\n", "lobos look spoolx",
                                 "LOBOS LOOK SPOOL", " lobos look spool", "lobos look nodes"})
            CHECK_FALSE(parse_wake_up(junk).has_value());
        CHECK_FALSE(parse_wake_up(std::string("lobos look spool\0", 17)).has_value());
    }
}
