#include "lobosq/job/script_text.hpp"

#include <doctest/doctest.h>

using namespace lobos;

namespace {

// check_script_text refused `script` on `line`, saying `says`.
void require_refused(std::string_view script, int line, const std::string& says) {
    INFO(std::string(script));
    std::optional<ScriptProblem> problem = check_script_text(script);
    REQUIRE(problem);
    CHECK(problem->line == line);
    CHECK_MESSAGE(problem->reason.find(says) != std::string::npos, problem->reason);
}

}  // namespace

TEST_SUITE("script text") {
    TEST_CASE("an ordinary script is accepted") {
        CHECK_FALSE(check_script_text("#!/bin/sh\n#NPROCS 4\necho hello\n").has_value());
        CHECK_FALSE(check_script_text("true").has_value());  // no final line end
        CHECK_FALSE(check_script_text("echo a\r\necho b\r\n").has_value());
    }

    TEST_CASE("an empty script is refused as a whole") { require_refused("", 0, "empty"); }

    TEST_CASE("a script of only blanks and line ends is refused as empty") {
        require_refused(" ", 0, "empty");
        require_refused("\n\n\n", 0, "empty");
        require_refused("  \t\r\n \n\t", 0, "empty");
    }

    TEST_CASE("a NUL byte is refused, on its line") {
        using namespace std::string_view_literals;
        require_refused("\0"sv, 1, "NUL");
        require_refused("#!/bin/sh\necho a\0b\n"sv, 2, "NUL");
        require_refused("#!/bin/sh\n\n\necho done\n\0"sv, 5, "NUL");
    }

    TEST_CASE("a lone UTF-8 continuation byte is refused, on its line") {
        require_refused("#!/bin/sh\necho ok\necho \x80 bad\n", 3, "UTF-8");
        require_refused("\xbf", 1, "UTF-8");
    }

    TEST_CASE("an overlong encoding is refused") {
        require_refused("#!/bin/sh\necho \xc0\xaf\n", 2, "UTF-8");  // '/' in two bytes
        require_refused("echo \xe0\x80\xaf\n", 1, "UTF-8");         // '/' in three
        require_refused("echo \xf0\x80\x80\xaf\n", 1, "UTF-8");     // '/' in four
        require_refused("echo \xc1\xbf\n", 1, "UTF-8");
    }

    TEST_CASE("an encoded UTF-16 surrogate is refused") {
        require_refused("#!/bin/sh\n#ETIME 5\necho \xed\xa0\x80\n", 3, "UTF-8");  // U+D800
        require_refused("echo \xed\xbf\xbf\n", 1, "UTF-8");                       // U+DFFF
    }

    TEST_CASE("code points above U+10FFFF and bytes that never start a sequence are refused") {
        require_refused("echo \xf4\x90\x80\x80\n", 1, "UTF-8");  // U+110000
        require_refused("echo \xf8\x88\x80\x80\x80\n", 1, "UTF-8");
        require_refused("echo \xfe\xff\n", 1, "UTF-8");
    }

    TEST_CASE("a sequence cut short is refused, at the end of the script or before the next character") {
        require_refused("#!/bin/sh\necho \xe2\x82", 2, "UTF-8");  // € without its last byte
        require_refused("#!/bin/sh\n\necho \xf0\x9f\x98", 3, "UTF-8");
        require_refused("\xc3", 1, "UTF-8");
        require_refused("echo \xe2\x82 more\n", 1, "UTF-8");
        require_refused("echo \xc3\nnext\n", 1, "UTF-8");
    }

    TEST_CASE("valid multibyte text is accepted") {
        CHECK_FALSE(check_script_text("#!/bin/sh\necho caf\xc3\xa9\n").has_value());  // é
        CHECK_FALSE(check_script_text("echo 5 \xe2\x82\xac\n").has_value());          // €
        CHECK_FALSE(check_script_text("echo \xf0\x9f\x98\x80\n").has_value());        // 😀
        CHECK_FALSE(
            check_script_text("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80").has_value());  // at the very end
        CHECK_FALSE(
            check_script_text("echo \xef\xbf\xbf \xf4\x8f\xbf\xbf \xc2\x80\n").has_value());  // the limits
    }

    TEST_CASE("lines are counted through multibyte text") {
        require_refused("\xc3\xa9\n\xe2\x82\xac\n\xf0\x9f\x98\x80\n\xff\n", 4, "UTF-8");
    }
}
