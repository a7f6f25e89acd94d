// `pulse --check` as a user runs it: a real process, its output and exit code.

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace lobos::test;
namespace fs = std::filesystem;

namespace {

// A scratch cluster root with a copy of the LoBoS sample configuration.
struct ScratchRoot {
    ScratchDir dir{"check"};
    fs::path root = dir.path();
    ScratchRoot() {
        fs::create_directories(root / "config");
        for (const char* f : {"nodes", "topology", "pulse.conf"})
            fs::copy_file(source_path("config/examples/lobos/") + f, root / "config" / f);
    }
    void append(const char* file, const std::string& text) {
        std::ofstream(root / "config" / file, std::ios::app) << text;
    }
};

RunOptions with_root_variable(const std::string& value) {
    RunOptions options;
    options.environment = {{"LOBOS_ROOT", value}};
    return options;
}

}  // namespace

TEST_SUITE("pulse --check") {
    TEST_CASE("pulse --check on the LoBoS sample prints the summary and exits 0") {
        ProcessResult r =
            run_process({program("pulse"), "--check", "--config", source_path("config/examples/lobos")});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("compute nodes  4: pe1 pe2 pe3 pe4 (8 CPUs)") != std::string::npos);
        CHECK(r.out.find("masters        4 by rank") != std::string::npos);
        CHECK(r.out.find("hubs           3") != std::string::npos);
        CHECK(r.out.find("topology:17: warning: name2 'pe5'") != std::string::npos);
        CHECK(r.out.find("configuration usable") != std::string::npos);
    }

    TEST_CASE("pulse --check on a broken file prints file and line of each error and exits 2") {
        ScratchRoot scratch;
        scratch.append("nodes", "72 165.112.185.300 pe9 0 2 1 200 1.0 128 512 2 0.1 0.1 0.1 0.1\n");
        scratch.append("pulse.conf", "NodeTimeout2 9\n");
        ProcessResult r = run_process({program("pulse"), "--check", "--root", scratch.root.string()});
        CHECK(r.exit_code == 2);
        const std::string config = (scratch.root / "config").string();
        CHECK(r.err.find(config + "/nodes:20: error: ip '165.112.185.300'") != std::string::npos);
        CHECK(r.err.find(config + "/pulse.conf:8: error: keyword 'NodeTimeout2'") != std::string::npos);
        CHECK(r.err.find("did you mean NodeTimeOut?") != std::string::npos);
        CHECK(r.out.empty());
    }

    TEST_CASE("pulse --check finds the configuration under LOBOS_ROOT") {
        ScratchRoot scratch;
        ProcessResult r =
            run_process({program("pulse"), "--check"}, with_root_variable(scratch.root.string()));
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("configuration in " + (scratch.root / "config").string()) != std::string::npos);
    }

    TEST_CASE("--root wins over LOBOS_ROOT") {
        ScratchRoot scratch;
        ProcessResult r = run_process({program("pulse"), "--check", "--root", scratch.root.string()},
                                      with_root_variable("/nonexistent-lobos-root"));
        CHECK(r.exit_code == 0);
    }

    TEST_CASE("pulse --check without a configuration names each missing file and exits 2") {
        ProcessResult r = run_process({program("pulse"), "--check", "--root", "/nonexistent-lobos-root"});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("/nonexistent-lobos-root/config/nodes: error: cannot read") != std::string::npos);
        CHECK(r.err.find("/nonexistent-lobos-root/config/pulse.conf: error: cannot read") !=
              std::string::npos);
    }

    TEST_CASE("an unknown option is a usage error with exit 2") {
        ProcessResult r = run_process({program("pulse"), "--chekc"});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("chekc") != std::string::npos);
    }

    TEST_CASE("every program takes --root and --config the same way") {
        for (const char* name : {"pulse", "lobosq", "webstatus"}) {
            CAPTURE(name);
            ProcessResult r = run_process({program(name), "--help"});
            CHECK(r.exit_code == 0);
            CHECK(r.out.find("--root DIR") != std::string::npos);
            CHECK(r.out.find("--config DIR") != std::string::npos);
        }
    }
}
