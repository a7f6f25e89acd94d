// The error policy under a sick file system: a small real cluster (pulse on
// every host, lobosqd on both masters, a runner on both compute nodes) runs
// with file_fault_injection preloaded, and each test makes every file call
// under the cluster root fail one way for a few seconds, with a job running
// and one submitted meanwhile. Every daemon must be running during and after
// the fault, and once it stops the cluster must recover: node_status written
// afresh with everything up, both jobs ended, a new job run to its end.

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_cluster.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Bounds for waits that should end far sooner; they only stop a broken run.
constexpr auto patience = 30s;
// How long each fault lasts.
constexpr auto fault_time = 3s;

// Two compute nodes linked to each other, each on a hub, and two masters on
// both hubs: the demo cluster (its timers too), smaller. TestCluster moves the
// 127.0.76.x addresses and the ports to its own.
constexpr const char* small_nodes =
    R"(#id ip           name    type CPUs CPUtype clock speed RAM  swap links lx    ly    px    py
1   127.0.76.11    n01     0    2    1       2400  1.0   4096 1024 2     0.3 0.7 0.3 0.3
2   127.0.76.12    n02     0    2    1       2400  1.0   4096 1024 2     0.7 0.7 0.7 0.3
65  127.0.76.1     master1 1    2    1       2400  1.0   4096 1024 2     0.4 0.1 0.4 0.1
66  127.0.76.2     master2 2    2    1       2400  1.0   4096 1024 2     0.6 0.1 0.6 0.1
69  999.999.999.999 hub1   0    0    1       0     0.0   0    0    0     0.4 0.5 0.3 0.2
70  999.999.999.999 hub2   0    0    1       0     0.0   0    0    0     0.6 0.5 0.7 0.2
)";
constexpr const char* small_topology = R"(# name1 name2 IP1 IP2
master1 hub1 127.0.76.1 999.999.999.999
master1 hub2 127.0.76.1 999.999.999.999
master2 hub1 127.0.76.2 999.999.999.999
master2 hub2 127.0.76.2 999.999.999.999
n01 n02 127.0.76.11 127.0.76.12
n01 hub1 127.0.76.11 999.999.999.999
n02 hub2 127.0.76.12 999.999.999.999
)";

std::string read(const fs::path& p) { return read_file_if_exists(p).value_or(""); }

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

fs::path small_config(const fs::path& dir) {
    std::ofstream(dir / "nodes") << small_nodes;
    std::ofstream(dir / "topology") << small_topology;
    std::ofstream(dir / "pulse.conf") << read(source_path("config/examples/demo/pulse.conf"));
    return dir;
}

// Sets an environment variable for the daemons started while it lives.
class EnvironmentVariable {
public:
    EnvironmentVariable(const char* name, const std::string& value) : name_(name) {
        ::setenv(name, value.c_str(), 1);
    }
    ~EnvironmentVariable() { ::unsetenv(name_); }
    EnvironmentVariable(const EnvironmentVariable&) = delete;
    EnvironmentVariable& operator=(const EnvironmentVariable&) = delete;

private:
    const char* name_;
};

struct FaultyCluster {
    ScratchDir source{"fault-config"};
    ScratchDir outside{"fault-control"};  // the control file and the jobs' directory: not under the root
    TestCluster cluster{"fault", small_config(source.path())};
    fs::path control = outside.path() / "fault";
    fs::path work = outside.path() / "work";
    EnvironmentVariable preload{"LD_PRELOAD", LOBOS_FAULT_LIBRARY};
    EnvironmentVariable fault_root{"LOBOS_FAULT_ROOT", cluster.root().string()};
    EnvironmentVariable fault_control{"LOBOS_FAULT_CONTROL", control.string()};
    std::unique_ptr<DirectoryWatch> work_watch;

    FaultyCluster() {
        fs::create_directories(work);
        work_watch = std::make_unique<DirectoryWatch>(work);
        cluster.start_everything();
        REQUIRE_MESSAGE(
            cluster.wait_until(
                [&] { return cluster.everything_up() && fs::exists(cluster.root() / "job_status"); },
                patience),
            cluster.logs());
    }

    std::vector<std::string> daemons() const {
        std::vector<std::string> out = cluster.hosts();
        for (const std::string& m : cluster.masters()) out.push_back("lobosqd " + m);
        for (const std::string& n : cluster.compute_nodes()) out.push_back("runner " + n);
        return out;
    }

    // The daemons that have ended, each with its log.
    std::string dead() {
        std::string out;
        for (const std::string& d : daemons())
            if (!cluster.daemon(d).running())
                out += "--- " + d + " ended (exit " +
                       std::to_string(cluster.daemon(d).wait(0ms).value_or(0)) + "); its log:\n" +
                       read(cluster.daemon(d).log());
        return out;
    }

    // The programs ("pulse", "lobosqd", "lobos-runner") into which `fault` was injected.
    std::string hit_by(const std::string& fault) {
        std::set<std::string> programs;
        const std::string mark = "lobos-fault-injection: " + fault + " ";
        for (const std::string& d : daemons())
            if (contains(read(cluster.daemon(d).log()), mark))
                programs.insert(d.starts_with("lobosqd ")  ? "lobosqd"
                                : d.starts_with("runner ") ? "lobos-runner"
                                                           : "pulse");
        std::string out;
        for (const char* p : {"pulse", "lobosqd", "lobos-runner"})
            if (programs.count(p)) out += (out.empty() ? "" : ", ") + std::string(p);
        return out.empty() ? "no daemon" : out;
    }

    // lobosq, never under the fault: it is the user's side, not the cluster root's file system.
    std::string submit(const std::string& script) {
        RunOptions options;
        options.input = script;
        options.working_directory = work.string();
        options.unset_environment = {"LD_PRELOAD"};
        ProcessResult r = run_process({program("lobosq"), "--root", cluster.root().string()}, options);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        std::string id = r.out.substr(0, r.out.find('\n'));
        REQUIRE_MESSAGE(std::regex_match(id, std::regex(R"([a-z_][a-z0-9_.-]*\.\d{12})")), r.out);
        return id;
    }

    // Gone from job_status: ended (a job.log line written under the fault may be lost, as the policy allows).
    bool ended(const std::string& id) const {
        auto status = read_file_if_exists(cluster.root() / "job_status");
        return status && !contains(*status, id + " ");
    }

    void inject(const std::string& fault) { write_file_atomically(control, fault + "\n"); }
    void clear() { fs::remove(control); }
};

// A job that says it started, then waits (60 s at most) for `release` in its directory.
std::string held_job(const std::string& name) {
    return "#NPROCS 1\ntouch started-" + name + "\ni=0; while [ ! -e release-" + name +
           " ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n";
}

void survives(const std::string& fault) {
    FaultyCluster f;
    // A job running through the fault, ended by its release while the fault lasts.
    const std::string running = f.submit(held_job("a"));
    REQUIRE_MESSAGE(f.work_watch->wait_until([&] { return fs::exists(f.work / "started-a"); }, patience),
                    f.cluster.logs());
    // Its runner and its shepherd have recorded it running (two lines of ROOT/nodes/NODE/ID.state):
    // the fault meets the job's end, not its start.
    REQUIRE_MESSAGE(f.cluster.wait_until(
                        [&] {
                            for (const std::string& n : f.cluster.compute_nodes()) {
                                const std::string state =
                                    read(f.cluster.root() / "nodes" / n / (running + ".state"));
                                if (std::count(state.begin(), state.end(), '\n') >= 2) return true;
                            }
                            return false;
                        },
                        patience),
                    f.cluster.logs());

    f.inject(fault);
    const auto started = std::chrono::steady_clock::now();
    // A job submitted while the queue daemon cannot read its spool.
    const std::string submitted = f.submit("#NPROCS 1\ntouch ran-b\n");
    std::ofstream(f.work / "release-a") << "";
    // Every daemon running all along: the wait ends early only if one ended.
    const bool one_ended = f.cluster.wait_until(
        [&] { return !f.dead().empty(); }, std::chrono::duration_cast<std::chrono::milliseconds>(
                                               fault_time - (std::chrono::steady_clock::now() - started)));
    const std::string hit = f.hit_by(fault);
    f.clear();
    const auto cleared = std::chrono::system_clock::now();
    std::ostringstream injected;
    injected << "injected " << fault << " into " << hit << " for "
             << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s";
    MESSAGE(injected.str());
    std::cout << injected.str() << std::endl;  // in ctest -V's output of a passing test too
    CHECK_MESSAGE(!one_ended, "a daemon ended under " << fault << ":\n" << f.dead());
    CHECK_MESSAGE(hit == "pulse, lobosqd, lobos-runner", "the fault reached only " << hit << "\n"
                                                                                   << f.cluster.logs());

    // Recovery: node_status written afresh with everything up, both jobs ended, a new job run.
    CHECK_MESSAGE(f.cluster.wait_until(
                      [&] {
                          auto status = f.cluster.node_status();
                          return status && status->written > cleared && f.cluster.everything_up();
                      },
                      patience),
                  "node_status not written afresh after " << fault << "\n"
                                                          << f.cluster.logs());
    CHECK_MESSAGE(
        f.cluster.wait_until(
            [&] { return f.ended(running) && f.ended(submitted) && fs::exists(f.work / "ran-b"); }, patience),
        "the jobs of the fault did not end after " << fault << "\n"
                                                   << f.cluster.logs());
    const std::string after = f.submit("#NPROCS 1\ntrue\n");
    CHECK_MESSAGE(
        f.cluster.wait_until([&] { return contains(f.cluster.job_log(), after + " ended"); }, patience),
        "a job submitted after " << fault << " did not end\n"
                                 << f.cluster.logs());
    CHECK_MESSAGE(f.dead().empty(), "a daemon ended after " << fault << ":\n" << f.dead());
}

}  // namespace

TEST_CASE("the daemons live through stale file handles under the cluster root and recover") {
    survives("ESTALE");
}

TEST_CASE("the daemons live through I/O errors under the cluster root and recover") { survives("EIO"); }

TEST_CASE("the daemons live through a full file system under the cluster root and recover") {
    survives("ENOSPC");
}

TEST_CASE("the daemons live through timed-out file calls under the cluster root and recover") {
    survives("ETIMEDOUT");
}

TEST_CASE("the daemons live through interrupted file calls under the cluster root and recover") {
    survives("EINTR");
}

TEST_CASE("the daemons live through files replaced under their readers and recover") { survives("replaced"); }
