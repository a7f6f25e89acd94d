#include "lobosq/job/script_command.hpp"

#include <doctest/doctest.h>

using namespace lobos;

using Argv = std::vector<std::string>;

TEST_SUITE("script command") {
    TEST_CASE("a script without #! runs under /bin/sh") {
        CHECK(script_command("echo hi\n", "/proc/self/fd/5") == Argv{"/bin/sh", "/proc/self/fd/5"});
        CHECK(script_command("", "/proc/self/fd/5") == Argv{"/bin/sh", "/proc/self/fd/5"});
        CHECK(script_command(" #!/bin/bash\n", "/s") == Argv{"/bin/sh", "/s"});
    }

    TEST_CASE("#! names the interpreter, and the rest of the line is its one argument") {
        CHECK(script_command("#!/bin/bash\necho hi\n", "/s") == Argv{"/bin/bash", "/s"});
        CHECK(script_command("#! /usr/bin/python3 -u\nprint(1)\n", "/s") ==
              Argv{"/usr/bin/python3", "-u", "/s"});
        // As Linux reads it: one argument, blanks inside kept.
        CHECK(script_command("#!/usr/bin/env  python3 -u \t\n", "/s") ==
              Argv{"/usr/bin/env", "python3 -u", "/s"});
        CHECK(script_command("#!/bin/sh", "/s") == Argv{"/bin/sh", "/s"});
    }

    TEST_CASE("a DOS line end is dropped and an empty #! falls back to /bin/sh") {
        CHECK(script_command("#!/bin/bash\r\necho\r\n", "/s") == Argv{"/bin/bash", "/s"});
        CHECK(script_command("#!\necho\n", "/s") == Argv{"/bin/sh", "/s"});
        CHECK(script_command("#!   \necho\n", "/s") == Argv{"/bin/sh", "/s"});
    }
}
