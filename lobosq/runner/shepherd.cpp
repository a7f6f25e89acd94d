#include "lobosq/runner/shepherd.hpp"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lobosq/job/job_environment.hpp"
#include "lobosq/job/job_exit_status.hpp"
#include "lobosq/job/node_directory.hpp"
#include "lobosq/job/script_command.hpp"
#include "lobosq/runner/job_report_file.hpp"
#include "lobosq/runner/process_tree.hpp"
#include "lobosq/runner/shared_nodefile.hpp"
#include "share/formats/cpu_numbering.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/daemon_log.hpp"
#include "share/io/user_files.hpp"

namespace lobos {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often the job's processes are looked for again while they are being
// killed: a process forked between two looks would otherwise be missed.
constexpr auto kill_recheck = std::chrono::milliseconds(50);

std::string errno_text(int error) { return strerrordesc_np(error); }

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (std::string& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
    return pointers;
}

// Makes the forked runner a process of its own: default signal handling
// (the runner's handlers write to its io_context's pipe), SIGTERM and
// SIGCHLD kept blocked for sigtimedwait, none of the runner's descriptors,
// a session of its own (so that the runner's terminal and process group
// never reach the job) and the child subreaper flag.
void become_shepherd(int go_fd) {
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    // The runner's standard error may be a pipe whose reader is gone; a
    // message there must not kill the shepherd of a running job.
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGTERM);
    sigaddset(&waited, SIGCHLD);
    ::sigprocmask(SIG_SETMASK, &waited, nullptr);
    if (go_fd > 3) ::close_range(3, static_cast<unsigned>(go_fd) - 1, 0);
    ::close_range(static_cast<unsigned>(go_fd) + 1, ~0U, 0);
    ::setsid();
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    // Files the shepherd creates (ID.run, ID.log, ID.nodes) are 0644; the
    // job inherits this too, as a login shell's usual umask.
    ::umask(022);
}

// True when the runner says go; false at end of file.
bool wait_for_go(int go_fd) {
    char byte = 0;
    ssize_t n = 0;
    do {
        n = ::read(go_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    ::close(go_fd);
    return n == 1;
}

// True (and the signal taken) when a SIGTERM is already waiting.
bool take_pending_term() {
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    const timespec zero{0, 0};
    return ::sigtimedwait(&term, nullptr, &zero) == SIGTERM;
}

class Shepherd {
public:
    Shepherd(const StartOrder& order, std::filesystem::path node_dir)
        : order_(order),
          spec_(order.spec),
          node_dir_(std::move(node_dir)),
          run_path_(std::filesystem::path(spec_.dir) / (spec_.id + ".run")),
          log_path_(std::filesystem::path(spec_.dir) / (spec_.id + ".log")),
          nodefile_path_(job_file(node_dir_, spec_.id, nodefile_suffix)) {}

    // The shepherd's exit status: 0 when it wrote the job's end.
    int run(int go_fd) {
        if (!wait_for_go(go_fd)) return 0;
        report_.shepherd_pid = ::getpid();
        if (auto self = read_process(::getpid())) report_.shepherd_start = self->start_time;
        if (take_pending_term()) return finish(cancelled_before_start());
        if (auto failure = start_job()) return finish(failed(*failure));
        report_.state = RunnerState::running;
        report_.job_pgid = job_pid_;
        report_.started = JobClock::now();
        write_state();
        const std::optional<std::string> cancel_reason = watch();
        return finish(job_end_from_wait_status(*job_status_, cancel_reason, JobClock::now()));
    }

private:
    JobEnd failed(const std::string& reason) const {
        JobEnd end;
        end.outcome = JobOutcome::failed;
        end.reason = reason;
        end.at = JobClock::now();
        return end;
    }

    JobEnd cancelled_before_start() const {
        JobEnd end;
        end.outcome = JobOutcome::cancelled;
        end.reason = cancel_reason();
        end.at = JobClock::now();
        return end;
    }

    // The daemon's words from ID.cancel ("cancelled by alice"), else "cancelled".
    std::string cancel_reason() const {
        try {
            if (auto text = read_file_if_exists(job_file(node_dir_, spec_.id, cancel_suffix))) {
                std::string error;
                if (auto order = decode_cancel_order(*text, error); order && !order->reason.empty())
                    return order->reason;
            }
        } catch (const std::exception&) {
            // The reason is a nicety; the cancel itself stands.
        }
        return "cancelled";
    }

    void complain(const std::string& what) const {
        DaemonLog("lobos-runner", node_dir_.filename().string())
            .error("shepherd of " + spec_.id + ": " + what);
    }

    // Everything up to the script's exec; the reason when something failed.
    std::optional<std::string> start_job() {
        const passwd* pw = ::getpwuid(spec_.uid);
        if (!pw) return "uid " + std::to_string(spec_.uid) + " has no entry in the password database";
        user_ = {pw->pw_name, pw->pw_dir, pw->pw_shell};
        // The user's groups, read once for the files below and the job's own identity.
        identity_ = file_identity(spec_.uid, spec_.gid);
        if (::geteuid() != 0 && spec_.uid != ::geteuid())
            return "the node's runner runs as uid " + std::to_string(::geteuid()) +
                   ", not root, and cannot run a job of uid " + std::to_string(spec_.uid);
        if (!std::filesystem::path(spec_.dir).is_absolute())
            return "the submit directory '" + spec_.dir + "' is not an absolute path";

        const std::string placement_text = "nodes: " + nodefile_contents(order_.placement) +
                                           "cpus: " + format_cpu_list(order_.placement.cpus) + "\n";
        std::string error = write_as_user(run_path_, placement_text, identity_);
        if (!error.empty()) return error;
        run_created_ = true;
        error = open_as_user(log_path_, O_WRONLY | O_CREAT | O_APPEND, 0644, identity_, log_fd_);
        if (!error.empty()) return error;

        try {
            make_nodefile(node_dir_, nodefile_path_, nodefile_contents(order_.placement),
                          shared_nodefile_name(order_.placement));
            nodefile_created_ = true;
        } catch (const std::exception& e) {
            return std::string("cannot write the node list file: ") + e.what();
        }

        // The script lives in memory only: no copy of it is left on any disk.
        const int script_fd =
            ::memfd_create(("lobos-job-" + spec_.id).c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (script_fd < 0) return "cannot make a memory file for the script: " + errno_text(errno);
        if (!write_whole(script_fd, spec_.script)) {
            ::close(script_fd);
            return "cannot write the script to its memory file: " + errno_text(errno);
        }
        // Sealed, so that what runs is exactly what was submitted.
        ::fcntl(script_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);

        std::vector<std::string> environment = job_environment(order_, user_, nodefile_path_.string());
        std::vector<std::string> argv =
            script_command(spec_.script, "/proc/self/fd/" + std::to_string(script_fd));

        int error_pipe[2];
        if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
            ::close(script_fd);
            return "cannot make a pipe: " + errno_text(errno);
        }
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(error_pipe[0]);
            exec_job(argv, environment, script_fd, error_pipe[1]);
        }
        const int fork_error = errno;
        ::close(error_pipe[1]);
        ::close(script_fd);
        if (pid < 0) {
            ::close(error_pipe[0]);
            return "cannot fork the job's process: " + errno_text(fork_error);
        }
        // Both sides set the process group, so that it is set whichever runs first.
        ::setpgid(pid, pid);
        // The pipe closes at exec (success) or carries the reason it failed.
        std::string exec_error;
        char buffer[512];
        while (true) {
            const ssize_t n = ::read(error_pipe[0], buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            exec_error.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(error_pipe[0]);
        if (!exec_error.empty()) {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            return exec_error;
        }
        job_pid_ = pid;
        return std::nullopt;
    }

    // In the job's process: its own process group, the log as its output,
    // the user's identity and directory, then the script. Never returns.
    [[noreturn]] void exec_job(std::vector<std::string>& argv, std::vector<std::string>& environment,
                               int script_fd, int error_fd) {
        const auto fail = [&](const std::string& what, int error) {
            const std::string text = error ? what + ": " + errno_text(error) : what;
            write_whole(error_fd, text);
            ::_exit(127);
        };
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (::setpgid(0, 0) != 0) fail("cannot make the job's process group", errno);
        const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null_fd < 0) fail("cannot open /dev/null", errno);
        if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(log_fd_, STDOUT_FILENO) < 0 ||
            ::dup2(log_fd_, STDERR_FILENO) < 0)
            fail("cannot direct the job's output to " + log_path_.string(), errno);
        if (::geteuid() == 0) {
            // The groups initgroups would set, looked up once in start_job.
            if (::setgroups(identity_.groups.size(), identity_.groups.data()) != 0)
                fail("cannot set the groups of user " + user_.name, errno);
            if (::setgid(spec_.gid) != 0) fail("cannot set gid " + std::to_string(spec_.gid), errno);
            if (::setuid(spec_.uid) != 0) fail("cannot set uid " + std::to_string(spec_.uid), errno);
            if (::getuid() != spec_.uid || ::geteuid() != spec_.uid || ::getgid() != spec_.gid ||
                ::getegid() != spec_.gid)
                fail("the job's process did not get uid " + std::to_string(spec_.uid) + " and gid " +
                         std::to_string(spec_.gid),
                     0);
        }
        if (::chdir(spec_.dir.c_str()) != 0) fail("cannot enter the submit directory " + spec_.dir, errno);
        // The interpreter opens /proc/self/fd/N after exec: that one descriptor stays open.
        if (::fcntl(script_fd, F_SETFD, 0) != 0) fail("cannot pass the script on", errno);
        std::vector<char*> args = c_strings(argv);
        std::vector<char*> env = c_strings(environment);
        ::execve(args[0], args.data(), env.data());
        fail("cannot run " + argv[0], errno);
        ::_exit(127);  // not reached: fail does not return
    }

    // Sends `sig` to every process of the job: the descendants of this
    // shepherd and, while the script's process is not reaped (so its
    // process group id cannot have been reused), its process group.
    void signal_job(int sig) const {
        const pid_t group = job_status_ ? 0 : job_pid_;
        for (pid_t pid : descendants_of(::getpid(), group, read_process_table())) ::kill(pid, sig);
        if (group) ::kill(-group, sig);
    }

    // Reaps every child that ended; false when there are no children left.
    bool reap() {
        while (true) {
            int status = 0;
            const pid_t pid = ::waitpid(-1, &status, WNOHANG);
            if (pid > 0) {
                if (pid == job_pid_) job_status_ = status;
                continue;
            }
            if (pid < 0 && errno == EINTR) continue;
            return pid == 0;
        }
    }

    // Waits for the job to end and for every one of its processes to be
    // gone (as a subreaper the shepherd inherits them all, so "no children
    // left" means none remains). The cancel reason when it was cancelled.
    std::optional<std::string> watch() {
        std::optional<std::string> cancel_reason;
        std::optional<SteadyClock::time_point> kill_at;
        const auto grace = std::chrono::duration_cast<SteadyClock::duration>(
            std::chrono::duration<double>(std::max(order_.cancel_grace_seconds, 0.0)));
        sigset_t waited;
        sigemptyset(&waited);
        sigaddset(&waited, SIGTERM);
        sigaddset(&waited, SIGCHLD);
        while (true) {
            const bool children_left = reap();
            if (!children_left && job_status_) return cancel_reason;
            // The script ended by itself: what it left behind goes at once,
            // as Slurm ends a job's steps. A cancelled job's processes get the grace.
            const bool killing =
                (job_status_ && !cancel_reason) || (kill_at && SteadyClock::now() >= *kill_at);
            if (killing) signal_job(SIGKILL);

            std::optional<SteadyClock::duration> wait_for;
            if (killing)
                wait_for = kill_recheck;
            else if (kill_at)
                wait_for = *kill_at - SteadyClock::now();
            int sig = 0;
            if (wait_for) {
                const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::max(*wait_for, SteadyClock::duration::zero()))
                                    .count();
                const timespec timeout{static_cast<time_t>(ns / 1'000'000'000),
                                       static_cast<long>(ns % 1'000'000'000)};
                sig = ::sigtimedwait(&waited, nullptr, &timeout);
            } else {
                sig = ::sigwaitinfo(&waited, nullptr);
            }
            // A cancel that comes after the script ended by itself changes nothing.
            if (sig == SIGTERM && !cancel_reason && !job_status_) {
                cancel_reason = this->cancel_reason();
                kill_at = SteadyClock::now() + grace;
                signal_job(SIGTERM);
                signal_job(SIGCONT);  // a stopped process must run to act on SIGTERM
            }
        }
    }

    // Cleans up after the job and writes its end; the shepherd's exit status.
    int finish(const JobEnd& end) {
        if (end.outcome == JobOutcome::failed) note_in_log("failed: " + end.reason);
        if (log_fd_ >= 0) ::close(log_fd_);
        if (end.outcome == JobOutcome::cancelled && job_pid_ > 0) {
            const std::string error =
                append_as_user(log_path_, "lobosq: job " + spec_.id + " " + describe(end) + "\n", identity_);
            if (!error.empty()) complain(error);
        }
        if (run_created_) {
            const std::string error = remove_as_user(run_path_, identity_);
            if (!error.empty()) complain(error);
        }
        if (nodefile_created_) {
            std::error_code ignored;
            std::filesystem::remove(nodefile_path_, ignored);
        }
        report_.state = RunnerState::ended;
        report_.end = end;
        // The end is what the queue records and the owner is told: tried
        // until it is written, whatever the file system does meanwhile.
        const bool written =
            append_job_report_until_written(job_file(node_dir_, spec_.id, state_suffix), report_,
                                            [this](const std::string& error) { complain(error); });
        return written ? 0 : 1;
    }

    void note_in_log(const std::string& what) const {
        if (log_fd_ >= 0) write_whole(log_fd_, "lobosq: job " + spec_.id + " " + what + "\n");
    }

    // A line appended to ID.state, not synced (lobosq/job_report_file.hpp).
    bool write_state() const {
        std::string error;
        if (try_write_state(error)) return true;
        complain(error);
        return false;
    }

    bool try_write_state(std::string& error) const {
        try {
            append_job_report(job_file(node_dir_, spec_.id, state_suffix), report_);
            return true;
        } catch (const std::exception& e) {
            error = e.what();
            return false;
        }
    }

    const StartOrder& order_;
    const JobSpec& spec_;
    std::filesystem::path node_dir_;
    std::filesystem::path run_path_;
    std::filesystem::path log_path_;
    std::filesystem::path nodefile_path_;
    JobUser user_;
    FileIdentity identity_;
    JobReport report_;
    bool run_created_ = false;
    bool nodefile_created_ = false;
    int log_fd_ = -1;
    pid_t job_pid_ = 0;
    std::optional<int> job_status_;  // the script's wait status, once reaped
};

}  // namespace

void run_shepherd(const StartOrder& order, const std::filesystem::path& node_dir, int go_fd) {
    int status = 1;
    try {
        become_shepherd(go_fd);
        Shepherd shepherd(order, node_dir);
        status = shepherd.run(go_fd);
    } catch (const std::exception& e) {
        DaemonLog("lobos-runner", node_dir.filename().string())
            .error("shepherd of " + order.spec.id + ": " + e.what());
    } catch (...) {
        DaemonLog("lobos-runner", node_dir.filename().string())
            .error("shepherd of " + order.spec.id + ": unexpected exception");
    }
    // _exit: the runner's objects, copied by fork, are not this process's to destroy.
    ::_exit(status);
}

}  // namespace lobos
