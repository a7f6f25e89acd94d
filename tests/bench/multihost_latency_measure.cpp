// bench_multihost_latency's measurements: see multihost_latency.cpp for
// what is measured and how.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "share/io/atomic_file.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/bench/multihost_latency.hpp"

namespace lobos::bench {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test::BedUser;
using test::MultiHostCluster;
using test::ProcessResult;
using Options = LatencyOptions;
using Figures = LatencyFigures;

double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// The time of a log line that begins "2026-12-06 15:54:54.210" (job.log, local time) or
// "2026-12-06T15:54:54.265+00:00" (a daemon's log), as `date +%s.%N` counts.
std::optional<double> log_time(const std::string& line) {
    std::tm t{};
    int ms = 0, hours = 0, minutes = 0;
    char between = 0, sign = 0;
    const int n =
        std::sscanf(line.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d.%3d%c%2d:%2d", &t.tm_year, &t.tm_mon, &t.tm_mday,
                    &between, &t.tm_hour, &t.tm_min, &t.tm_sec, &ms, &sign, &hours, &minutes);
    if (n < 8) return std::nullopt;
    t.tm_year -= 1900;
    t.tm_mon -= 1;
    t.tm_isdst = -1;
    if (n < 11 || (sign != '+' && sign != '-')) return static_cast<double>(std::mktime(&t)) + ms / 1000.0;
    const int offset = (sign == '+' ? 1 : -1) * (hours * 3600 + minutes * 60);
    return static_cast<double>(::timegm(&t) - offset) + ms / 1000.0;
}

// A file of /proc, or "" when it cannot be read (its process has just
// ended: libstdc++'s streams would throw then).
std::string read_proc(const fs::path& path) {
    std::string text;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return text;
    char chunk[4096];
    for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;)
        text.append(chunk, static_cast<std::size_t>(n));
    ::close(fd);
    return text;
}

// The time of the first line of `text` that contains `part`.
std::optional<double> time_of_line(const std::string& text, const std::string& part) {
    const auto at = text.find(part);
    if (at == std::string::npos) return std::nullopt;
    const auto begin = text.rfind('\n', at);
    return log_time(text.substr(begin == std::string::npos ? 0 : begin + 1, at));
}

class Measurer {
public:
    Measurer(MultiHostCluster& cluster, const Options& options, Figures& figures)
        : cluster_(cluster), options_(options), figures_(figures), user_(cluster.bed(), "lobosbench") {}

    void run() {
        commands();
        submissions();
        cancels();
        lines();
    }

private:
    // lobosq as the user on the login host, and the time it took from start to exit.
    ProcessResult timed_lobosq(const std::vector<std::string>& args, const std::string& input, double& ms) {
        const auto start = std::chrono::steady_clock::now();
        ProcessResult r = cluster_.lobosq(user_, args, input);
        ms = milliseconds_since(start);
        return r;
    }

    // The same way in as lobosq (nsenter, env, setpriv) with a program that does nothing.
    std::vector<std::string> as_user(const std::vector<std::string>& argv) const {
        std::vector<std::string> all =
            cluster_.bed().enter(MultiHostCluster::login_host, user_.home.string());
        all.insert(all.end(), {"/usr/bin/setpriv", "--reuid=" + std::to_string(user_.uid),
                               "--regid=" + std::to_string(user_.gid), "--init-groups", "--reset-env", "--"});
        all.insert(all.end(), argv.begin(), argv.end());
        return all;
    }

    std::string submit(const std::string& script, double& ms) {
        ProcessResult r = timed_lobosq({}, script, ms);
        if (r.exit_code != 0) throw std::runtime_error("lobosq failed: " + r.err + cluster_.logs());
        return r.out.substr(0, r.out.find('\n'));
    }

    // The text of a file the job writes in the home, once it ends in a newline (read on the brick).
    std::optional<std::string> wait_for_line_file(const std::string& name,
                                                  std::chrono::milliseconds timeout) {
        const fs::path path = user_.home_on_storage / name;
        std::optional<std::string> text;
        cluster_.wait_until(
            [&] {
                check_stop();
                text = read_file_if_exists(path);
                return text && !text->empty() && text->back() == '\n';
            },
            timeout);
        return text && !text->empty() && text->back() == '\n' ? text : std::nullopt;
    }

    // What one lookup of a name that is not there costs on the login host (a
    // round trip to the storage host): the unit the latencies are made of.
    void round_trip() {
        const int n = 200;
        const std::string loop = "s=$(date +%s%N); i=0; while [ $i -lt " + std::to_string(n) +
                                 " ]; do [ -e " + (cluster_.root() / "spool").string() +
                                 "/.absent.$i ]; i=$((i+1)); done; echo $s $(date +%s%N)";
        ProcessResult r = test::run_process(as_user({"/bin/sh", "-c", loop}));
        std::istringstream times(r.out);
        double start = 0, end = 0;
        if (times >> start >> end) figures_.round_trip = (end - start) / 1e6 / n;
    }

    void commands() {
        round_trip();
        const std::string probe = "#!/bin/sh\n#NPROCS 1\n#ETIME 1\ntrue\n";
        for (int i = 0; i < options_.commands; ++i) {
            check_stop();
            const auto start = std::chrono::steady_clock::now();
            test::run_process(as_user({"/bin/true"}));
            figures_.bare_command.push_back(milliseconds_since(start));
            double ms = 0;
            ProcessResult stat = timed_lobosq({"stat"}, "", ms);
            if (stat.exit_code != 0) throw std::runtime_error("lobosq stat failed: " + stat.err);
            figures_.stat_command.push_back(ms);
            ProcessResult test_only = timed_lobosq({"--test-only"}, probe, ms);
            if (test_only.exit_code != 0)
                throw std::runtime_error("lobosq --test-only failed: " + test_only.err);
            figures_.test_only_command.push_back(ms);
        }
    }

    void submissions() {
        // The job's first command: the moment it runs, on the node's clock (this machine's).
        // The time is taken before the file is created (a create over GlusterFS takes a while).
        const std::string script =
            "#!/bin/sh\n#NPROCS 1\n#ETIME 1\nnow=$(date +%s.%N)\necho $now >stamp.$LOBOS_JOBID\n";
        for (int i = 0; i < options_.jobs; ++i) {
            check_stop();
            std::this_thread::sleep_until(next_);
            next_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.pace_ms);
            const double before = wall_seconds();
            double ms = 0;
            const std::string id = submit(script, ms);
            figures_.submit_command.push_back(ms);
            const auto stamp = wait_for_line_file("stamp." + id, 30s);
            if (!stamp) throw std::runtime_error(id + " did not start in 30 s\n" + cluster_.logs());
            figures_.submit_to_running.push_back((std::stod(*stamp) - before) * 1000);
            started_.push_back({id, before, std::stod(*stamp)});
        }
        where_the_time_goes();
    }

    void where_the_time_goes() {
        const std::string job_log = cluster_.job_log();
        std::string runner_logs;
        for (const std::string& node : cluster_.compute_nodes())
            runner_logs += read_file_if_exists(cluster_.daemon("runner " + node).log()).value_or("");
        for (const Start& s : started_) {
            const auto taken = time_of_line(job_log, s.id + " submitted by");
            const auto forked = time_of_line(runner_logs, s.id + ": started");
            if (!taken || !forked) continue;
            figures_.to_daemon.push_back((*taken - s.before) * 1000);
            figures_.to_runner.push_back((*forked - *taken) * 1000);
            figures_.to_job.push_back((s.running - *forked) * 1000);
        }
        // The slowest job's lines, to see where its time went.
        const auto slowest = std::max_element(
            started_.begin(), started_.end(),
            [](const Start& a, const Start& b) { return a.running - a.before < b.running - b.before; });
        if (slowest == started_.end()) return;
        std::printf("  the slowest job, %s: %.1f ms after lobosq started\n", slowest->id.c_str(),
                    (slowest->running - slowest->before) * 1000);
        std::istringstream lines(job_log + runner_logs);
        for (std::string line; std::getline(lines, line);)
            if (line.find(slowest->id) != std::string::npos) std::printf("    %s\n", line.c_str());
    }

    // The pids (as this machine sees them) of the live processes whose environment names the job.
    static std::vector<pid_t> job_processes(const std::string& id) {
        const std::string marker = "LOBOS_JOBID=" + id + std::string(1, '\0');
        std::vector<pid_t> pids;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator("/proc", ec)) {
            const std::string name = entry.path().filename().string();
            if (name.find_first_not_of("0123456789") != std::string::npos) continue;
            const std::string env = read_proc(entry.path() / "environ");
            if (env.find(marker) != std::string::npos && alive(std::stoi(name)))
                pids.push_back(std::stoi(name));
        }
        return pids;
    }

    // Alive and not a zombie.
    static bool alive(pid_t pid) {
        const std::string text = read_proc("/proc/" + std::to_string(pid) + "/stat");
        const auto close = text.rfind(')');
        return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
    }

    void cancels() {
        // Ignores SIGTERM, and so do its children: only the SIGKILL at the end of the grace ends them.
        const std::string script =
            "#!/bin/sh\n#NPROCS 1\n#ETIME 5\ntrap '' TERM\nsleep 300 &\nsetsid sleep 300 &\n"
            "sh -c 'sleep 300' &\necho ready >ready.$LOBOS_JOBID\nwait\n";
        for (int i = 0; i < options_.cancels; ++i) {
            check_stop();
            double ms = 0;
            const std::string id = submit(script, ms);
            if (!wait_for_line_file("ready." + id, 30s))
                throw std::runtime_error(id + " did not start in 30 s\n" + cluster_.logs());
            std::vector<pid_t> pids;
            // Its background processes are forked before `ready`; give them a moment to exec.
            for (int look = 0; look < 100 && pids.size() < 4; ++look, std::this_thread::sleep_for(10ms))
                pids = job_processes(id);
            if (pids.empty()) throw std::runtime_error(id + ": none of its processes found in /proc");
            std::atomic<bool> gone{false};
            std::chrono::steady_clock::time_point gone_at;
            const auto start = std::chrono::steady_clock::now();
            // Watched from a thread of its own: `lobosq can` may take longer than the grace.
            std::thread watcher([&] {
                const auto give_up = start + 20s;
                while (std::chrono::steady_clock::now() < give_up) {
                    if (std::none_of(pids.begin(), pids.end(), alive)) {
                        gone_at = std::chrono::steady_clock::now();
                        gone = true;
                        return;
                    }
                    std::this_thread::sleep_for(1ms);
                }
            });
            ProcessResult r = timed_lobosq({"can", id}, "", ms);
            watcher.join();
            if (r.exit_code != 0) throw std::runtime_error("lobosq can " + id + " failed: " + r.err);
            if (!gone) throw std::runtime_error(id + ": processes still there 20 s after lobosq can");
            figures_.cancel_command.push_back(ms);
            figures_.cancel_beyond_grace.push_back(
                std::chrono::duration<double, std::milli>(gone_at - start).count() - 1000.0);
            if (i == 0) std::printf("  cancel: %zu processes of the job watched\n", pids.size());
        }
    }

    void lines() {
        // Lines at uneven intervals, so that they do not keep step with tail's polling.
        std::mt19937 random(12);
        std::ostringstream script;
        script << "#!/bin/sh\n#NPROCS 1\n#ETIME 5\nsleep 3\n";
        for (int i = 0; i < options_.lines; ++i)
            script << "sleep 0." << 100 + random() % 500 << "\necho \"line $(date +%s.%N)\"\n";
        double ms = 0;
        const std::string id = submit(script.str(), ms);
        const std::string log = id + ".log";
        if (!cluster_.wait_until([&] { return fs::exists(user_.home_on_storage / log); }, 30s))
            throw std::runtime_error(id + " has no log after 30 s");
        read_tail(log);
    }

    // Runs tail -f on the login host as the user and times the lines it passes on.
    void read_tail(const std::string& log) {
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        const std::vector<std::string> argv =
            as_user({"/usr/bin/timeout", "60", "/usr/bin/tail", "-n", "+1", "-f", log});
        const pid_t child = ::fork();
        if (child == 0) {
            ::dup2(out[1], 1);
            std::vector<char*> args;
            for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::close(out[1]);
        const double reader_started = wall_seconds() + 0.5;  // tail is surely reading by then
        std::string buffer;
        int seen = 0;
        const auto give_up =
            std::chrono::steady_clock::now() + 3s + std::chrono::milliseconds(600 * options_.lines) + 10s;
        while (seen < options_.lines && std::chrono::steady_clock::now() < give_up && !stop_requested) {
            pollfd p{out[0], POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char chunk[4096];
            const ssize_t n = ::read(out[0], chunk, sizeof chunk);
            if (n <= 0) break;
            const double arrived = wall_seconds();
            buffer.append(chunk, static_cast<std::size_t>(n));
            for (auto end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n')) {
                const std::string line = buffer.substr(0, end);
                buffer.erase(0, end + 1);
                if (!line.starts_with("line ")) continue;
                ++seen;
                const double printed = std::stod(line.substr(5));
                if (printed > reader_started) figures_.line_lag.push_back((arrived - printed) * 1000);
            }
        }
        figures_.lines_missed = options_.lines - seen;
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        ::close(out[0]);
    }

    struct Start {
        std::string id;
        double before = 0;   // just before lobosq started
        double running = 0;  // the job's first command
    };

    MultiHostCluster& cluster_;
    const Options& options_;
    Figures& figures_;
    BedUser user_;
    std::vector<Start> started_;
    std::chrono::steady_clock::time_point next_{};  // the next submission, paced
};

}  // namespace

void measure_latencies(MultiHostCluster& cluster, const LatencyOptions& options, LatencyFigures& figures) {
    Measurer(cluster, options, figures).run();
}

}  // namespace lobos::bench
