#include "lobosq/runner/job_runner.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "lobosq/job/job_exit_status.hpp"
#include "lobosq/runner/job_report_file.hpp"
#include "lobosq/runner/process_tree.hpp"
#include "lobosq/runner/shared_nodefile.hpp"
#include "lobosq/runner/shepherd.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/shared_directory.hpp"

namespace lobos {
namespace {

// inotify does not see what other machines write over NFS: the directory
// is read again this often whatever inotify says.
constexpr auto rescan_interval = std::chrono::seconds(1);
// Shared node list files no job has used for this long are removed, looked
// for this often (lobosq/shared_nodefile.hpp).
constexpr auto nodefile_unused = std::chrono::hours(1);
constexpr auto prune_interval = std::chrono::minutes(10);

std::string errno_text(int error) { return strerrordesc_np(error); }

constexpr const char* restarted_before_start = "the node's runner restarted before the job started";

std::string shepherd_gone(pid_t pid, const std::string& how) {
    return "the job's shepherd (pid " + std::to_string(pid) + ") " + how + " without reporting the job's end";
}

}  // namespace

JobRunner::JobRunner(const ClusterPaths& paths, std::string node, std::chrono::milliseconds heartbeat,
                     RunnerWakeUps wake_ups)
    : paths_(paths),
      node_(std::move(node)),
      daemon_log_("lobos-runner", node_),
      dir_(paths.node_dir(node_)),
      signals_(io_, SIGINT, SIGTERM, SIGCHLD),
      inotify_(io_),
      rescan_timer_(io_),
      heartbeat_(std::max(heartbeat, std::chrono::milliseconds(10))),
      alive_timer_(io_),
      wake_ups_(std::move(wake_ups)),
      wake_listener_(io_, wake_ups_.address, wake_ups_.port, daemon_log_, [this](WakeUpKind kind) {
          // The daemon wrote an order here from another host: as an inotify event would.
          if (kind == WakeUpKind::orders) scan();
      }) {
    std::error_code ec;
    // Under the configuration's lock: the masters' daemons may be making it at this moment.
    if (make_shared_directories(dir_, paths.config_dir / "nodes", ec))
        std::filesystem::permissions(dir_, std::filesystem::perms(0755), ec);
    std::filesystem::create_directories(started_dir(), ec);
    prune_started_marks();
    if (ec || !std::filesystem::is_directory(dir_))
        throw std::runtime_error("cannot make the node's directory " + dir_.string() + ": " +
                                 (ec ? ec.message() : "not a directory"));
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) throw std::runtime_error("inotify_init1: " + errno_text(errno));
    inotify_.assign(fd);
    if (::inotify_add_watch(fd, dir_.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE) < 0)
        throw std::runtime_error("cannot watch " + dir_.string() + ": " + errno_text(errno));
}

JobRunner::~JobRunner() = default;

void JobRunner::run() {
    adopt_jobs();
    scan();
    do_signals();
    do_watch();
    wake_listener_.start();
    do_rescan();
    do_alive();
    io_.run();
}

void JobRunner::log(const std::string& line) const { daemon_log_.info(line); }

void JobRunner::log_error(const std::string& line) const { daemon_log_.error(line); }

void JobRunner::do_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig != SIGCHLD) {
            io_.stop();
            return;
        }
        reap_shepherds();
        do_signals();
    });
}

void JobRunner::do_watch() {
    inotify_.async_read_some(asio::buffer(events_), [this](const boost::system::error_code& ec,
                                                           std::size_t n) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
            log_error("inotify: " + ec.message() + "; reading the directory every second only");
            return;
        }
        // Only the daemon's orders want an answer now: the reports this
        // runner and its shepherds append (several a job) and files going
        // away wait for the rescan. The whole directory is read then, which
        // also covers events lost to a queue overflow.
        bool orders = false;
        bool reports = false;
        for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
            inotify_event event{};
            std::memcpy(&event, events_.data() + at, sizeof event);
            const std::string_view name(events_.data() + at + sizeof event,
                                        ::strnlen(events_.data() + at + sizeof event, event.len));
            if ((event.mask & IN_Q_OVERFLOW) || name.ends_with(start_suffix) || name.ends_with(cancel_suffix))
                orders = true;
            // A report written here (by this runner or a shepherd): the
            // acting queue daemon, on a master, looks now instead of at its rescan.
            if ((event.mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) && name.ends_with(state_suffix)) reports = true;
            at += sizeof event + event.len;
        }
        if (reports)
            for (const std::string& master : wake_ups_.masters)
                send_wake_up(master, wake_ups_.port, WakeUpKind::reports);
        if (orders) scan();
        do_watch();
    });
}

void JobRunner::do_rescan() {
    rescan_timer_.expires_after(rescan_interval);
    rescan_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        scan();
        if (std::chrono::steady_clock::now() >= next_prune_) {
            prune_shared_nodefiles(dir_, nodefile_unused);
            prune_started_marks();
            next_prune_ = std::chrono::steady_clock::now() + prune_interval;
        }
        do_rescan();
    });
}

void JobRunner::do_alive() {
    RunnerAlive alive{JobClock::now(), {}};
    for (const auto& [id, shepherd] : shepherds_) alive.jobs.push_back(id);
    // Not synced: it is rewritten every heartbeat, and after a crash of this
    // machine no sign of life is the truth. A failed write is tried again at
    // the next heartbeat; meanwhile the queue may take the node for lost.
    if (FileResult<Done> written = try_write_file_atomically(
            dir_ / runner_alive_file, encode_runner_alive(alive), 0644, Durability::unsynced);
        !written)
        daemon_log_.limited(LogLevel::error, "alive", written.error().text());
    alive_timer_.expires_after(heartbeat_);
    alive_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_alive();
    });
}

std::optional<JobReport> JobRunner::read_report(const std::string& id) const {
    try {
        auto text = read_file_if_exists(job_file(dir_, id, state_suffix));
        if (!text) return std::nullopt;
        std::string error;
        auto report = decode_job_report(*text, error);
        if (!report) log(id + state_suffix.data() + ": " + error);
        return report;
    } catch (const std::exception& e) {
        log_error(e.what());
        return std::nullopt;
    }
}

JobRunner::Claim JobRunner::claim_job(const std::string& id, const JobReport& report) const {
    // Not synced (lobosq/job_report_file.hpp): a crash of this machine ends
    // its jobs anyway, and the queue fails them when the node goes down.
    try {
        return create_job_report(job_file(dir_, id, state_suffix), report) ? Claim::claimed : Claim::taken;
    } catch (const std::exception& e) {
        log_error(e.what());
        return Claim::failed;
    }
}

bool JobRunner::write_report(const std::string& id, const JobReport& report) const {
    try {
        append_job_report(job_file(dir_, id, state_suffix), report);
        return true;
    } catch (const std::exception& e) {
        log_error(e.what());
        return false;
    }
}

void JobRunner::end_job(const std::string& id, JobOutcome outcome, const std::string& reason) {
    JobReport report = read_report(id).value_or(JobReport{});
    report.state = RunnerState::ended;
    report.end = JobEnd{outcome, 0, 0, reason, JobClock::now()};
    if (write_report(id, report)) log(id + " " + describe(*report.end));
    handled_.insert(id);
    // A shepherd that died (its host with it, say) left the job's node list
    // link, which the shepherd removes at a job's end: no job uses it now,
    // and while it is there the shared file it links to is never pruned.
    std::error_code ignored;
    std::filesystem::remove(job_file(dir_, id, nodefile_suffix), ignored);
}

bool JobRunner::shepherd_alive(const Shepherd& shepherd) const {
    if (shepherd.pid <= 0) return false;
    const auto process = read_process(shepherd.pid);
    return process && process->state != 'Z' && process->start_time == shepherd.start_time;
}

void JobRunner::adopt_jobs() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
        names.push_back(entry.path().filename().string());
    for (const auto& [id, files] : job_files(names)) {
        if (!files.state) continue;
        const auto report = read_report(id);
        if (!report) continue;
        handled_.insert(id);
        if (report->state == RunnerState::ended) continue;
        const Shepherd shepherd{report->shepherd_pid, report->shepherd_start, false, false};
        if (shepherd_alive(shepherd)) {
            shepherds_[id] = shepherd;
            log(id + ": its shepherd (pid " + std::to_string(shepherd.pid) + ") runs on; watching it");
        } else if (report->state == RunnerState::starting) {
            end_job(id, JobOutcome::failed, restarted_before_start);
        } else {
            end_job(id, JobOutcome::failed, shepherd_gone(shepherd.pid, "is gone"));
        }
    }
}

void JobRunner::scan() {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec))
        names.push_back(it->path().filename().string());
    if (ec) {
        if (!listing_failed_) log_error("cannot read " + dir_.string() + ": " + ec.message());
        listing_failed_ = true;
        return;
    }
    listing_failed_ = false;

    const auto jobs = job_files(names);
    for (const auto& [id, files] : jobs) {
        if (files.start && !files.state && !handled_.count(id)) {
            if (files.cancel) {
                std::string reason = "cancelled";
                try {
                    std::string error;
                    auto text = read_file_if_exists(job_file(dir_, id, cancel_suffix));
                    if (auto order = text ? decode_cancel_order(*text, error) : std::nullopt;
                        order && !order->reason.empty())
                        reason = order->reason;
                } catch (const std::exception& e) {
                    log_error(e.what());
                }
                end_job(id, JobOutcome::cancelled, reason);
            } else {
                start_job(id);
            }
            continue;
        }
        if (files.cancel) cancel_job(id);
    }
    std::vector<std::string> adopted;
    for (const auto& [id, shepherd] : shepherds_)
        if (!shepherd.child) adopted.push_back(id);
    for (const std::string& id : adopted) check_adopted(id);
    // Once the daemon has removed a job's files, the job is forgotten.
    std::erase_if(handled_, [&](const std::string& id) { return !jobs.count(id) && !shepherds_.count(id); });
}

void JobRunner::prune_started_marks() {
    // A mark outlives its job's files by a week: no queue daemon's view is that old.
    const auto now = std::filesystem::file_time_type::clock::now();
    std::error_code ec;
    for (std::filesystem::directory_iterator it(started_dir(), ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code time_ec;
        const auto written = it->last_write_time(time_ec);
        if (!time_ec && now - written > std::chrono::hours(24 * 7))
            std::filesystem::remove(it->path(), time_ec);
    }
}

void JobRunner::start_job(const std::string& id) {
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(job_file(dir_, id, start_suffix));
    } catch (const std::exception& e) {
        log_error(e.what());
        return;
    }
    if (!text) return;  // removed since the directory was read
    std::string error;
    const std::optional<StartOrder> order = decode_start_order(*text, error);
    if (!order) return end_job(id, JobOutcome::failed, id + start_suffix.data() + ": " + error);
    if (order->spec.id != id)
        return end_job(id, JobOutcome::failed, id + start_suffix.data() + " is for job " + order->spec.id);
    if (order->placement.cpus.empty() || order->placement.cpus.size() != order->placement.nodes.size())
        return end_job(id, JobOutcome::failed,
                       id + start_suffix.data() + ": the placement is empty or uneven");
    if (order->placement.node0() != node_)
        return end_job(id, JobOutcome::failed,
                       "NODE0 of the placement is " + order->placement.node0() + ", not " + node_);

    // What each line of ID.state protects against, in order:
    //  1. starting, created before the fork, and only if there is no
    //     ID.state: a runner that restarts at any later moment finds it and
    //     never starts the job again, and of two runners of one node only
    //     one can create it.
    //  2. starting with the shepherd's pid and start time, before the
    //     shepherd may go on: a runner that restarts after it finds the
    //     shepherd, watches it and can still cancel the job. One that died
    //     before it never told the shepherd to go (the pipe's end of file
    //     stops it), and the next runner records the job failed, not run.
    //  3. running, from the shepherd: the job's process group and start.
    //  4. ended, from the shepherd (or the runner for a shepherd that could
    //     not): what the queue daemon waits for.
    // All four are lines of one file (lobosq/job_report_file.hpp), none
    // synced: what they guard against is a runner or shepherd process
    // dying, which leaves what it wrote in the page cache. A crash of the
    // machine ends its jobs too, and the queue fails them when the node
    // goes down (as before: syncing each line would cost more than the job).
    // A start order for a job this node has started before comes from a
    // queue daemon whose view of the queue is older than its end (a take-over
    // under a client cache): ID.state is gone with the job's other files,
    // but the mark in .started/ stays for a week.
    try {
        if (!create_file_once(started_dir() / id, "")) {
            handled_.insert(id);
            return end_job(id, JobOutcome::failed, "started on " + node_ + " before; not started again");
        }
    } catch (const std::exception& e) {
        log_error(e.what());
        return;  // tried again at the next scan
    }
    JobReport report;
    report.state = RunnerState::starting;
    switch (claim_job(id, report)) {
        case Claim::claimed:
            break;
        case Claim::taken:  // another runner of this node has it
            handled_.insert(id);
            return;
        case Claim::failed:  // tried again at the next scan
            return;
    }
    handled_.insert(id);

    int go[2];
    if (::pipe2(go, O_CLOEXEC) != 0)
        return end_job(id, JobOutcome::failed, "cannot make a pipe: " + errno_text(errno));
    // No handler of the runner may run in the child before it resets them.
    sigset_t all, previous;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &previous);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(go[1]);
        run_shepherd(*order, dir_, go[0]);
    }
    const int fork_error = errno;
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    ::close(go[0]);
    if (pid < 0) {
        ::close(go[1]);
        return end_job(id, JobOutcome::failed, "cannot fork the job's shepherd: " + errno_text(fork_error));
    }
    Shepherd shepherd{pid, 0, true, false};
    if (auto process = read_process(pid)) shepherd.start_time = process->start_time;
    shepherds_[id] = shepherd;
    report.shepherd_pid = pid;
    report.shepherd_start = shepherd.start_time;
    // Only once ID.state names it may the shepherd go on (a runner that
    // restarts must be able to tell whether it lives); if it cannot be
    // named, closing the pipe stops it and the reaper records the failure.
    if (write_report(id, report)) {
        const char go_ahead = 'g';
        if (::write(go[1], &go_ahead, 1) != 1)
            log_error(id + ": cannot tell the shepherd to go on: " + errno_text(errno));
        log(id + ": started (shepherd pid " + std::to_string(pid) + ")");
    }
    ::close(go[1]);
}

void JobRunner::cancel_job(const std::string& id) {
    auto it = shepherds_.find(id);
    if (it == shepherds_.end() || it->second.cancel_sent) return;
    // Checked against the start time that ID.state recorded, so that a
    // reused pid never gets the signal.
    if (!shepherd_alive(it->second)) return;
    if (::kill(it->second.pid, SIGTERM) != 0) {
        log_error(id + ": cannot signal the shepherd (pid " + std::to_string(it->second.pid) +
                  "): " + errno_text(errno));
        return;
    }
    it->second.cancel_sent = true;
    log(id + ": cancelling");
}

void JobRunner::check_adopted(const std::string& id) {
    const Shepherd shepherd = shepherds_.at(id);
    if (shepherd_alive(shepherd)) return;
    shepherds_.erase(id);
    const auto report = read_report(id);
    if (report && report->state == RunnerState::ended) return;
    if (report && report->state == RunnerState::starting)
        end_job(id, JobOutcome::failed, restarted_before_start);
    else
        end_job(id, JobOutcome::failed, shepherd_gone(shepherd.pid, "ended"));
}

void JobRunner::reap_shepherds() {
    while (true) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR) continue;
        if (pid <= 0) return;
        auto it = std::find_if(shepherds_.begin(), shepherds_.end(), [&](const auto& entry) {
            return entry.second.child && entry.second.pid == pid;
        });
        if (it == shepherds_.end()) continue;
        const std::string id = it->first;
        shepherds_.erase(it);
        // A shepherd writes the end before it exits; only one that could not is reported here.
        const auto report = read_report(id);
        if (report && report->state == RunnerState::ended) continue;
        end_job(id, JobOutcome::failed, shepherd_gone(pid, "ended with " + describe_wait_status(status)));
    }
}

}  // namespace lobos
