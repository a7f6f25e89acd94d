#pragma once
// Runs a program of the project as a real process for integration tests:
// captures its standard output and error, and never waits past a deadline
// (a program still running then is killed and the result says so).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace lobos::test {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal or the deadline
    int signal = 0;
    bool timed_out = false;
    std::string out;
    std::string err;
};

struct RunOptions {
    std::string input;  // written to standard input, then closed
    std::vector<std::pair<std::string, std::string>>
        environment;  // added to (or replacing in) the test's own
    std::vector<std::string> unset_environment;
    std::string working_directory;  // empty: the test's own
    std::chrono::milliseconds deadline{30'000};
};

ProcessResult run_process(const std::vector<std::string>& argv, const RunOptions& options = {});

// Paths of the build's programs and the source tree.
std::string program(const std::string& name);  // build/bin/NAME
std::string source_path(const std::string& relative);

}  // namespace lobos::test
