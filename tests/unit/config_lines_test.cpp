#include "config/config_lines.hpp"

#include <doctest/doctest.h>

using namespace lobos;

TEST_CASE("config lines keep their numbers and drop comments and blanks") {
    auto lines = config_lines("# header\n\n  a b  # note\r\nc\td\n#\nlast");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].number == 3);
    CHECK(lines[0].fields == std::vector<std::string_view>{"a", "b"});
    CHECK(lines[1].number == 4);
    CHECK(lines[1].fields == std::vector<std::string_view>{"c", "d"});
    CHECK(lines[2].number == 6);
    CHECK(lines[2].fields == std::vector<std::string_view>{"last"});
}

TEST_CASE("a comment sign inside a field ends the line there") {
    auto lines = config_lines("pe1#pe2 x\n");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].fields == std::vector<std::string_view>{"pe1"});
}
