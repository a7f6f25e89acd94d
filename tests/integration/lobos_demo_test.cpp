// share/lobos-demo as a user runs it: it brings the demo cluster up, says
// where the status files are, and leaves no daemon behind.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
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

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The demo's configuration with ports the kernel says are free and loopback
// addresses of this process's own instead of the fixed 7311, 7380 and
// 127.0.76.x, so that the test runs beside a demo or another test run.
void write_demo_config(const std::filesystem::path& dir, std::uint16_t pulse_port, std::uint16_t web_port) {
    const std::filesystem::path demo = source_path("config/examples/demo");
    const std::string prefix = "127." + std::to_string(10 + ::getpid() % 200) + ".251.";
    for (const char* file : {"nodes", "topology"})
        std::ofstream(dir / file) << std::regex_replace(slurp(demo / file), std::regex(R"(127\.0\.76\.)"),
                                                        prefix);
    std::string conf = std::regex_replace(slurp(demo / "pulse.conf"),
                                          std::regex(R"((^|\n)\s*(PulsePort|WebPort)[^\n]*)"), "$1");
    std::ofstream(dir / "pulse.conf")
        << conf << "PulsePort " << pulse_port << "\nWebPort " << web_port << "\n";
}

}  // namespace

TEST_CASE("lobos-demo brings every node up, prints where the files are and stops what it started") {
    ScratchDir root("demo");
    ScratchDir config("demo-config");
    const std::uint16_t web_port = free_tcp_port();
    write_demo_config(config.path(), free_udp_and_tcp_port(), web_port);
    RunOptions options;
    options.deadline = std::chrono::seconds(90);
    ProcessResult r = run_process(
        {"/bin/bash", source_path("share/lobos-demo"), "--config", config.path().string(), "--root",
         root.path().string(), "--listen", "127.0.0.1:" + std::to_string(web_port), "--for", "1"},
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
