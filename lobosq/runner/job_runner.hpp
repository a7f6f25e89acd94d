#pragma once
// The node side of the queue (lobos-runner --node NAME): the owner of the
// io_context, the signal set, the inotify watch on ROOT/nodes/NAME/ and the
// rescan timer. It reads the daemon's orders there (ID.start, ID.cancel),
// forks a shepherd per job (lobosq/shepherd.hpp) and writes ID.state for
// what the shepherds cannot: the start (created before forking, so that a
// job never starts twice), orders it refuses, and shepherds that died
// without reporting. See lobosq/node_orders.hpp for the protocol.

#include <sys/types.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lobosq/job/node_directory.hpp"
#include "lobosq/job/node_orders.hpp"
#include "lobosq/job/runner_alive.hpp"
#include "share/io/asio.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/daemon_log.hpp"
#include "share/io/wake_up.hpp"

namespace lobos {

// Where the runner hears wake-ups (share/io/wake_up) and whom it tells of
// reports: its node's config/nodes address, WakePort, and the masters' addresses.
struct RunnerWakeUps {
    std::string address;
    std::uint16_t port = 0;
    std::vector<std::string> masters;
};

class JobRunner {
public:
    // Creates ROOT/nodes/NODE/ (mode 0755) if missing and watches it;
    // throws std::runtime_error naming what failed. `heartbeat`: how often
    // it rewrites its sign of life, runner.alive (HeartBeat of pulse.conf).
    // A wake-up port that cannot be bound is such a failure too.
    JobRunner(const ClusterPaths& paths, std::string node, std::chrono::milliseconds heartbeat,
              RunnerWakeUps wake_ups);
    ~JobRunner();
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    // Takes over the jobs a previous runner left, then runs until SIGINT or
    // SIGTERM. Shepherds are in sessions of their own and go on without it.
    void run();

private:
    // A shepherd this runner knows to be alive.
    struct Shepherd {
        pid_t pid = 0;
        unsigned long long start_time = 0;  // against pid reuse
        bool child = false;                 // forked by this runner (else left by a previous one)
        bool cancel_sent = false;
    };

    void do_signals();
    void do_watch();
    void do_rescan();
    // Rewrites runner.alive (lobosq/job/runner_alive.hpp) every heartbeat.
    void do_alive();

    void adopt_jobs();
    void scan();
    void start_job(const std::string& id);
    // Where the runner marks each job it starts (a dot-directory: the queue
    // daemon's listing passes over it), and the pruning of week-old marks.
    std::filesystem::path started_dir() const { return dir_ / ".started"; }
    void prune_started_marks();
    void cancel_job(const std::string& id);
    void check_adopted(const std::string& id);
    void reap_shepherds();
    // Writes ended/`outcome` for a job whose shepherd cannot, keeping what
    // ID.state said before (shepherd, start time).
    void end_job(const std::string& id, JobOutcome outcome, const std::string& reason);
    std::optional<JobReport> read_report(const std::string& id) const;
    // Creates ID.state with its first report unless it exists.
    enum class Claim { claimed, taken, failed };
    Claim claim_job(const std::string& id, const JobReport& report) const;
    // Appends a report to ID.state (creating it if need be); false, said in the log, on failure.
    bool write_report(const std::string& id, const JobReport& report) const;
    bool shepherd_alive(const Shepherd& shepherd) const;
    void log(const std::string& line) const;
    void log_error(const std::string& line) const;

    ClusterPaths paths_;
    std::string node_;
    mutable DaemonLog daemon_log_;  // written from const members too; nothing in it is the runner's state
    std::filesystem::path dir_;
    std::map<std::string, Shepherd> shepherds_;  // by job id
    // Jobs this runner started or ended, kept while any of their files is
    // there: never started again, whatever order the daemon removes the files in.
    std::set<std::string> handled_;
    bool listing_failed_ = false;                         // said once, not every second
    std::chrono::steady_clock::time_point next_prune_{};  // of unused shared node list files

    asio::io_context io_;
    asio::signal_set signals_;
    asio::posix::stream_descriptor inotify_;
    std::array<char, 4096> events_{};
    asio::steady_timer rescan_timer_;
    std::chrono::milliseconds heartbeat_;
    asio::steady_timer alive_timer_;
    RunnerWakeUps wake_ups_;
    WakeUpListener wake_listener_;
};

}  // namespace lobos
