#include "lobosq/runner/process_tree.hpp"

#include <unistd.h>

#include <string>

#include <doctest/doctest.h>

using namespace lobos;

namespace {

ProcessInfo process(pid_t pid, pid_t ppid, pid_t pgid, char state = 'S') {
    return {pid, state, ppid, pgid, 100};
}

}  // namespace

TEST_SUITE("process tree") {
    TEST_CASE("a /proc/PID/stat line gives pid, state, parent, group and start time") {
        const std::string line =
            "4242 (sleep) S 4200 4242 4200 0 -1 4194304 88 0 0 0 0 0 0 0 20 0 1 0 987654 8556544 150 "
            "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        const auto info = parse_process_stat(line);
        REQUIRE(info);
        CHECK(*info == ProcessInfo{4242, 'S', 4200, 4242, 987654});
    }

    TEST_CASE("a command name with blanks and parentheses does not shift the fields") {
        const auto info =
            parse_process_stat("77 (a) b (c) Z 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5555 0 0");
        REQUIRE(info);
        CHECK(info->state == 'Z');
        CHECK(info->ppid == 1);
        CHECK(info->start_time == 5555);
    }

    TEST_CASE("a line that is not a stat line gives nothing") {
        CHECK(!parse_process_stat(""));
        CHECK(!parse_process_stat("12 (x) S 1 2"));
        CHECK(!parse_process_stat("x (y) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0"));
    }

    TEST_CASE("a job's processes: the shepherd's subtree at any depth and the job's group, not zombies") {
        const std::vector<ProcessInfo> table{
            process(1, 0, 1),
            process(100, 1, 100),    // the shepherd
            process(101, 100, 101),  // the script, leader of the job's group
            process(102, 101, 101),
            process(103, 102, 103),       // a grandchild in a session of its own
            process(104, 100, 104),       // daemonized: reparented to the shepherd
            process(105, 101, 101, 'Z'),  // dead, not yet reaped
            process(200, 1, 101),         // in the job's group, elsewhere
            process(300, 1, 300),
            process(301, 300, 300),  // someone else's
        };
        CHECK(descendants_of(100, 101, table) == std::vector<pid_t>{101, 102, 103, 104, 200});
        CHECK(descendants_of(100, 0, table) == std::vector<pid_t>{101, 102, 103, 104});
        CHECK(descendants_of(999, 0, table).empty());
    }

    TEST_CASE("this process is in the table /proc shows") {
        const auto self = read_process(::getpid());
        REQUIRE(self);
        CHECK(self->ppid == ::getppid());
        CHECK(self->start_time > 0);
        bool found = false;
        for (const ProcessInfo& p : read_process_table()) found = found || p.pid == ::getpid();
        CHECK(found);
        CHECK(!read_process(-5));
    }
}
