// share/lobos-demo as a user runs it: it brings the demo cluster up, says
// where the status files are, and leaves no daemon behind.

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace lobos::test;

namespace {

// Processes whose command line mentions `text`.
int processes_mentioning(const std::string& text) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(text) != std::string::npos) ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("lobos-demo brings every node up, prints where the files are and stops what it started") {
    ScratchDir root("demo");
    RunOptions options;
    options.deadline = std::chrono::seconds(90);
    ProcessResult r = run_process(
        {"/bin/bash", source_path("share/lobos-demo"), "--root", root.path().string(), "--for", "1"},
        options);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("every node and link is up") != std::string::npos);
    CHECK(r.out.find(root.path().string() + "/node_status") != std::string::npos);
    auto status = lobos::read_file_if_exists(root.path() / "node_status");
    REQUIRE(status);
    CHECK(status->find("node ") != std::string::npos);
    CHECK(status->find(" 0\n") == std::string::npos);  // written while everything was up
    CHECK(processes_mentioning(root.path().string()) == 0);
}
