// A compute node's host dies under its job, on the multi-host test bed (root
// only): the queue fails the job with the reason within NodeTimeOut plus a
// heartbeat, frees its CPUs, and when the host comes back its runner
// recovers without running the job again.

#include <regex>

#include <doctest/doctest.h>

#include "share/formats/job_status.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/support/job_log_reading.hpp"
#include "tests/support/multihost_cluster.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto bring_up_limit = 120s;
// Bounds for waits that should end far sooner; they only stop a broken run.
constexpr auto patience = 60s;
// pulse.conf of MultiHostOptions: HeartBeat 0.5, NodeTimeOut 2.
constexpr auto heartbeat = 500ms;
constexpr auto node_timeout = 2s;
// What the issue allows from the kill to the job's failure, and on top of it
// the time the shared file system may take to carry node_status and
// runner.alive from host to host (measured: see the MESSAGE).
constexpr auto failure_limit = node_timeout + heartbeat;
constexpr auto file_system_margin = 300ms;

long long ms(std::chrono::nanoseconds d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string submitted_id(const ProcessResult& r) { return r.out.substr(0, r.out.find('\n')); }

std::optional<JobDetail> job_detail(MultiHostCluster& cluster) {
    auto text = read_file_if_exists(cluster.root_on_storage() / "job_detail.json");
    std::string error;
    return text ? parse_job_detail(*text, error) : std::nullopt;
}

// Names of the files in the node's directory that belong to job `id`.
int job_files_on_node(MultiHostCluster& cluster, const std::string& node, const std::string& id) {
    return files_starting_with(cluster.root_on_storage() / "nodes" / node, id + ".");
}

// The node's directory on the brick, every file with its text, for a failing check's message.
std::string node_directory(MultiHostCluster& cluster, const std::string& node) {
    std::string out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cluster.root_on_storage() / "nodes" / node, ec))
        if (e.is_regular_file())
            out += "--- " + e.path().filename().string() + "\n" + read_file_if_exists(e.path()).value_or("") +
                   "\n";
    return out;
}

}  // namespace

TEST_SUITE("multi-host test bed") {
    TEST_CASE(
        "when a compute node's host dies under its job, the job fails with the reason within NodeTimeOut "
        "plus a heartbeat and frees its CPUs, and the host comes back without running the job twice") {
        if (auto why = why_no_multihost_bed()) {
            MESSAGE("skipped: " << *why);
            return;
        }
        MultiHostCluster cluster;
        cluster.start_everything();
        REQUIRE_MESSAGE(cluster.wait_until(
                            [&] {
                                return cluster.everything_up() &&
                                       fs::exists(cluster.root_on_storage() / "job_status");
                            },
                            bring_up_limit),
                        cluster.logs());
        BedUser user(cluster.bed(), "lobosnf");
        cluster.bed().must_run_on(MultiHostCluster::login_host,
                                  {"/usr/bin/install", "-d", "-o", std::to_string(user.uid), "-g",
                                   std::to_string(user.gid), (user.home / "runs").string()});
        const fs::path runs = user.home_on_storage / "runs";

        // A job that runs for a minute on one CPU, leaving a file of its own each time it starts.
        ProcessResult r = cluster.lobosq(user, {},
                                         "#!/bin/sh\n#NPROCS 1\n#ETIME 5\n"
                                         "mktemp \"runs/$LOBOS_JOBID.XXXXXX\" >/dev/null\nexec sleep 60\n");
        REQUIRE_MESSAGE(r.exit_code == 0, r.err << cluster.logs());
        const std::string lost_job = submitted_id(r);
        CAPTURE(lost_job);
        REQUIRE_MESSAGE(
            cluster.wait_until(
                [&] {
                    return cluster.job_log().find(lost_job + " dispatched") != std::string::npos &&
                           files_starting_with(runs, lost_job + ".") == 1;
                },
                patience),
            "the job's output: "
                << read_file_if_exists(user.home_on_storage / (lost_job + ".log")).value_or("(none)") << "\n"
                << cluster.logs());
        std::smatch m;
        const std::string dispatch = line_with(cluster.job_log(), lost_job + " dispatched");
        REQUIRE_MESSAGE(std::regex_search(dispatch, m, std::regex(R"(dispatched to cpus (\d+) \((\S+)\))")),
                        dispatch);
        const std::string cpu = m[1].str();
        const std::string node = m[2].str();
        CAPTURE(node);

        // The host dies with every process on it.
        const auto killed_wall = std::chrono::system_clock::now();
        const auto killed = std::chrono::steady_clock::now();
        cluster.bed().kill_host(node);
        REQUIRE_MESSAGE(
            cluster.wait_until(
                [&] { return cluster.job_log().find(lost_job + " ended") != std::string::npos; }, patience),
            cluster.logs());
        const auto seen = std::chrono::steady_clock::now() - killed;
        const std::string end = line_with(cluster.job_log(), lost_job + " ended");
        CAPTURE(end);
        CHECK(end.find(lost_job + " ended: failed") != std::string::npos);
        CHECK(end.find(node + " went down") != std::string::npos);
        const auto end_time = job_log_time(end);
        REQUIRE(end_time);
        const auto decided = *end_time - killed_wall;
        MESSAGE("the job of the killed host "
                << node << " was failed " << ms(decided) << " ms after the kill (job.log's time; limit "
                << ms(failure_limit) << " ms + " << ms(file_system_margin)
                << " ms for the file system), and the test saw it after " << ms(seen) << " ms");
        CHECK(decided <= failure_limit + file_system_margin);
        // Its owner is told why.
        CHECK(read_file_if_exists(user.home_on_storage / (lost_job + ".log"))
                  .value_or("")
                  .find(node + " went down") != std::string::npos);
        // It holds no CPUs any more: job_status no longer shows it running.
        CHECK_MESSAGE(cluster.wait_until(
                          [&] {
                              auto status = read_file_if_exists(cluster.root_on_storage() / "job_status");
                              return status && status->find(lost_job) == std::string::npos;
                          },
                          patience),
                      cluster.logs());

        // The host comes back, then its pulse and its runner.
        cluster.bed().restart_host(node);
        cluster.start_pulse(node);
        cluster.start_runner(node);
        const auto restarted = std::chrono::steady_clock::now();
        REQUIRE_MESSAGE(cluster.wait_until([&] { return cluster.everything_up(); }, patience),
                        cluster.logs());
        // Every CPU of the cluster is free again, the lost job's among them.
        CHECK_MESSAGE(cluster.wait_until(
                          [&] {
                              auto detail = job_detail(cluster);
                              return detail && detail->cluster_cpus > 0 &&
                                     detail->free_cpus == detail->cluster_cpus;
                          },
                          patience),
                      cluster.logs());
        // The runner found what the dead one left (its report says running,
        // its shepherd is gone), reported the end, and the queue, which had
        // ended the job already, forgot its files.
        CHECK_MESSAGE(
            cluster.wait_until([&] { return job_files_on_node(cluster, node, lost_job) == 0; }, patience),
            node_directory(cluster, node) << cluster.logs());
        MESSAGE("the host came back up in node_status and its files were cleared "
                << ms(std::chrono::steady_clock::now() - restarted) << " ms after its restart");

        // A job that needs the lost job's very CPU runs there.
        r = cluster.lobosq(user, {},
                           "#!/bin/sh\n#NPROCS 1\n#NPROC0 " + cpu +
                               "\n#ETIME 1\nmktemp \"runs/$LOBOS_JOBID.XXXXXX\" >/dev/null\n"
                               "echo \"host $(hostname)\"\n");
        REQUIRE_MESSAGE(r.exit_code == 0, r.err << cluster.logs());
        const std::string next_job = submitted_id(r);
        CAPTURE(next_job);
        REQUIRE_MESSAGE(
            cluster.wait_until(
                [&] { return cluster.job_log().find(next_job + " ended") != std::string::npos; }, patience),
            cluster.logs());
        const std::string job_log = cluster.job_log();
        CHECK(line_with(job_log, next_job + " dispatched")
                  .find("dispatched to cpus " + cpu + " (" + node + ")") != std::string::npos);
        CHECK(count_of(job_log, next_job + " ended: exit 0") == 1);
        CHECK(read_file_if_exists(user.home_on_storage / (next_job + ".log"))
                  .value_or("")
                  .find("host " + node) != std::string::npos);
        CHECK(files_starting_with(runs, next_job + ".") == 1);

        // The lost job ran once: one start, one dispatch, one end.
        CHECK(files_starting_with(runs, lost_job + ".") == 1);
        CHECK(count_of(job_log, lost_job + " dispatched") == 1);
        CHECK(count_of(job_log, lost_job + " ended") == 1);
        const std::string runner_log =
            read_file_if_exists(cluster.daemon("runner " + node).log()).value_or("");
        CHECK_MESSAGE(count_of(runner_log, lost_job + ": started") == 1, runner_log);
    }
}
