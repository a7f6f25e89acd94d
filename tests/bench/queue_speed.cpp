// bench_queue: how fast the queue is, on the demo cluster (config/examples/
// demo, moved to a private 127.78.x.y prefix and PulsePort): pulse on every
// host, lobosqd on both masters, lobos-runner on the 8 compute nodes, all
// real processes. Three measurements:
//
//   latency     `lobosq < job` to ID.run on an idle cluster: the time from
//               starting lobosq to inotify reporting ID.run created in the
//               submit directory; each job (`true`) ends before the next.
//   throughput  N jobs of `true` (#NPROCS 1) submitted back to back by one
//               or more submitters; from the first submission to the last
//               "ended" line in job.log: jobs per second.
//   cancel      `lobosq can ID` on a job running a tree of sleeps (one in a
//               session of its own) until every process of it is gone.
//
// The throughput run also gives the CPU time per job of each kind of
// process (lobosq, lobosqd on both masters, the runners with their
// shepherds and jobs, pulse): less noisy than the rate on a machine others
// share.
//
// Usage: bench_queue [--latency-jobs 100] [--jobs 1000] [--submitters 2] [--cancels 10] [--bin DIR] [--keep]

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "share/formats/node_status.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/bench/bench_support.hpp"

extern char** environ;

namespace {

using namespace lobos;
using namespace lobos::bench;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Options {
    int latency_jobs = 100;
    int jobs = 1000;
    int submitters = 2;
    int cancels = 10;
    std::string bin;  // the programs' directory; build/bin unless given
    bool keep = false;
};

// Where pulse, lobosqd, lobos-runner and lobosq are taken from: --bin lets
// an older build run against this one back to back, on the same machine state.
std::string bin_dir;

std::string queue_program(const std::string& name) {
    return bin_dir.empty() ? program(name) : bin_dir + "/" + name;
}

std::optional<Options> parse_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description options;
    options.add_options()  //
        ("latency-jobs", po::value(&o.latency_jobs)->value_name("N"),
         "jobs timed to ID.run (default 100)")                                                            //
        ("jobs", po::value(&o.jobs)->value_name("N"), "jobs for the throughput run (default 1000)")       //
        ("submitters", po::value(&o.submitters)->value_name("N"), "parallel submitters (default 2)")      //
        ("cancels", po::value(&o.cancels)->value_name("N"), "cancels timed (default 10)")                 //
        ("bin", po::value(&o.bin)->value_name("DIR"), "run the programs of DIR (default: this build's)")  //
        ("keep", po::bool_switch(&o.keep), "keep the cluster root");
    if (!read_command_line(argc, argv, "bench_queue [options]", options)) return std::nullopt;
    if (o.latency_jobs < 0 || o.jobs < 0 || o.submitters < 1 || o.cancels < 0)
        throw std::runtime_error("bad options");
    return o;
}

std::string slurp(const fs::path& p) { return read_file_if_exists(p).value_or(""); }

// utime + stime of a process, with those of its children that it has
// reaped when `children` (a runner's shepherds, and through them the jobs),
// in seconds, from /proc/PID/stat; 0 when it is gone.
double process_cpu(pid_t pid, bool children) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 1));
    std::vector<double> f;
    std::string word;
    fields >> word;  // field 3, the state
    for (double v; f.size() < 14 && fields >> v;) f.push_back(v);
    // f[0] is field 4: utime is field 14, stime 15, cutime 16, cstime 17.
    if (f.size() < 14) return 0;
    const double ticks = f[10] + f[11] + (children ? f[12] + f[13] : 0);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// CPU time of every lobosq run so far (from wait4), from all submitters, in microseconds.
std::atomic<long long> lobosq_cpu_us{0};

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// The demo cluster with the queue, in a root of its own.
class QueueCluster {
public:
    QueueCluster(const fs::path& root) : root_(root) {
        write_demo_cluster(root, "127.78." + std::to_string(1 + ::getpid() % 250) + ".");
        ConfigLoad load = read_cluster_config(root / "config");
        fs::create_directories(root / "log");
        for (const Node& n : load.config.nodes) {
            if (n.is_hub()) continue;
            start({queue_program("pulse"), "--node", n.name, "--root", root.string()}, "pulse." + n.name);
            if (n.is_master())
                start({queue_program("lobosqd"), "--node", n.name, "--root", root.string()},
                      "lobosqd." + n.name);
            else
                start({queue_program("lobos-runner"), "--node", n.name, "--root", root.string()},
                      "runner." + n.name);
        }
        const auto limit = Clock::now() + std::chrono::seconds(30);
        while (!ready()) {
            check_stop();
            for (auto& [name, d] : daemons_)
                if (!d->running())
                    throw std::runtime_error(name + " ended: " + slurp(root / "log" / (name + ".log")));
            if (Clock::now() > limit)
                throw std::runtime_error("the demo cluster did not come up within 30 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    const fs::path& root() const { return root_; }

    // CPU seconds of the daemons whose log name starts with `kind`
    // ("lobosqd.", "runner.", "pulse."), with their reaped children.
    double cpu(const std::string& kind) const {
        double total = 0;
        for (const auto& [name, d] : daemons_)
            if (name.starts_with(kind)) total += process_cpu(d->pid(), true);
        return total;
    }

private:
    void start(const std::vector<std::string>& argv, const std::string& name) {
        daemons_[name] = std::make_unique<ChildProcess>(argv, root_ / "log" / (name + ".log"));
    }
    bool ready() const {
        auto text = read_file_if_exists(root_ / "node_status");
        if (!text || !fs::exists(root_ / "job_status")) return false;
        NodeStatus s = parse_node_status(*text, std::chrono::system_clock::now()).status;
        return !s.nodes.empty() && std::all_of(s.nodes.begin(), s.nodes.end(), [](auto& n) { return n.up; });
    }

    fs::path root_;
    std::map<std::string, std::unique_ptr<ChildProcess>> daemons_;
};

// Runs lobosq with `args`, standard input from `input_file` (or /dev/null),
// in `dir`; returns its standard output. Throws if it fails.
std::string lobosq(const fs::path& root, const fs::path& dir, const std::vector<std::string>& args,
                   const fs::path& input_file) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, input_file.empty() ? "/dev/null" : input_file.c_str(),
                                     O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    std::vector<std::string> argv{queue_program("lobosq"), "--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
        ::close(out[0]);
        throw std::runtime_error("cannot start lobosq");
    }
    std::string text;
    char buffer[256];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    lobosq_cpu_us += (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000LL + usage.ru_utime.tv_usec +
                     usage.ru_stime.tv_usec;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("lobosq " + (args.empty() ? std::string("<") : args[0]) +
                                 " failed (status " + std::to_string(status) + ")");
    return text.substr(0, text.find('\n'));
}

// Files created and deleted in one directory, with when inotify told of them.
class CreateWatch {
public:
    explicit CreateWatch(const fs::path& dir) : fd_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
        if (fd_ < 0 || ::inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_DELETE) < 0)
            throw std::runtime_error("inotify failed");
    }
    ~CreateWatch() { ::close(fd_); }
    // Waits up to `timeout` for `name` to be created (or deleted); when it was seen.
    std::optional<Clock::time_point> wait_for(const std::string& name, std::uint32_t mask,
                                              std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            if (auto it = seen_.find({name, mask}); it != seen_.end()) return it->second;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            const auto at = Clock::now();
            alignas(inotify_event) char buffer[16384];
            for (ssize_t n; (n = ::read(fd_, buffer, sizeof buffer)) > 0;)
                for (ssize_t i = 0; i < n;) {
                    auto* e = reinterpret_cast<inotify_event*>(buffer + i);
                    if (e->len)
                        seen_.emplace(std::make_pair(std::string(e->name), e->mask & (IN_CREATE | IN_DELETE)),
                                      at);
                    i += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
                }
        }
    }

private:
    int fd_;
    std::map<std::pair<std::string, std::uint32_t>, Clock::time_point> seen_;
};

void latency(const QueueCluster& cluster, const fs::path& work, int jobs) {
    if (jobs == 0) return;
    const fs::path dir = work / "latency";
    fs::create_directories(dir);
    const fs::path script = work / "true.job";
    write_file_atomically(script, "#NPROCS 1\n#ETIME 1\ntrue\n");
    CreateWatch watch(dir);
    std::vector<double> to_run, lobosq_exit;
    for (int i = 0; i < jobs; ++i) {
        check_stop();
        const auto t0 = Clock::now();
        const std::string id = lobosq(cluster.root(), dir, {}, script);
        lobosq_exit.push_back(ms_between(t0, Clock::now()));
        auto run = watch.wait_for(id + ".run", IN_CREATE, std::chrono::seconds(10));
        if (!run) throw std::runtime_error(id + ".run did not appear within 10 s");
        to_run.push_back(ms_between(t0, *run));
        // An idle cluster for the next one: this job has ended.
        if (!watch.wait_for(id + ".run", IN_DELETE, std::chrono::seconds(10)))
            throw std::runtime_error(id + ".run was not removed within 10 s");
    }
    std::sort(to_run.begin(), to_run.end());
    std::printf(
        "latency, lobosq < job to ID.run, %d jobs: median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms\n",
        jobs, median(to_run), to_run[to_run.size() * 9 / 10], to_run.front(), to_run.back());
    std::printf("  of which lobosq itself (start to exit): median %.1f ms\n", median(lobosq_exit));
}

void throughput(const QueueCluster& cluster, const fs::path& work, int jobs, int submitters) {
    if (jobs == 0) return;
    const fs::path dir = work / "throughput";
    fs::create_directories(dir);
    const fs::path script = work / "true-many.job";
    write_file_atomically(script, "#NPROCS 1\n#ETIME 1\ntrue\n");
    auto count_ended = [&] {
        const std::string log = slurp(cluster.root() / "job.log");
        int n = 0;
        for (auto at = log.find(" ended: "); at != std::string::npos; at = log.find(" ended: ", at + 1)) ++n;
        return n;
    };
    const int ended_at_start = count_ended();
    const auto cpu_of = [&] {
        return std::map<std::string, double>{{"lobosq", lobosq_cpu_us / 1e6},
                                             {"lobosqd", cluster.cpu("lobosqd.")},
                                             {"runners", cluster.cpu("runner.")},
                                             {"pulse", cluster.cpu("pulse.")}};
    };
    const auto cpu_before = cpu_of();
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    std::vector<std::string> errors(static_cast<std::size_t>(submitters));
    for (int s = 0; s < submitters; ++s)
        threads.emplace_back([&, s] {
            try {
                for (int i = s; i < jobs && !stop_requested; i += submitters)
                    lobosq(cluster.root(), dir, {}, script);
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(s)] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    for (const std::string& e : errors)
        if (!e.empty()) throw std::runtime_error(e);
    const auto submitted = Clock::now();
    const auto limit = submitted + std::chrono::seconds(120);
    int ended = 0;
    while ((ended = count_ended() - ended_at_start) < jobs) {
        check_stop();
        if (Clock::now() > limit)
            throw std::runtime_error(std::to_string(ended) + " of " + std::to_string(jobs) +
                                     " ended within 120 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto done = Clock::now();
    // The runners count a shepherd's time once they have reaped it, just after its job's end.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto cpu_after = cpu_of();
    std::printf(
        "throughput, %d jobs of true (#NPROCS 1) from %d submitters: all ended %.2f s after the first "
        "submission: %.0f jobs/s\n",
        jobs, submitters, ms_between(t0, done) / 1000, jobs / (ms_between(t0, done) / 1000));
    std::printf(
        "  submitting took %.2f s (%.0f submissions/s); the last job ended %.0f ms after the last "
        "submission\n",
        ms_between(t0, submitted) / 1000, jobs / (ms_between(t0, submitted) / 1000),
        ms_between(submitted, done));
    std::printf("  CPU per job:");
    for (const char* kind : {"lobosq", "lobosqd", "runners", "pulse"})
        std::printf(" %s %.2f ms,", kind, (cpu_after.at(kind) - cpu_before.at(kind)) * 1000 / jobs);
    std::printf(" (runners: with their shepherds and jobs; pulse: all 10)\n");
}

bool alive(pid_t pid) {
    std::string stat;
    try {
        stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    } catch (const std::exception&) {
        return false;  // it went between the open and the read (ESRCH)
    }
    auto close = stat.rfind(')');
    return !stat.empty() && (close == std::string::npos || stat.substr(close + 2, 1) != "Z");
}

void cancel(const QueueCluster& cluster, const fs::path& work, int cancels) {
    if (cancels == 0) return;
    const fs::path dir = work / "cancel";
    fs::create_directories(dir);
    const fs::path script = work / "tree.job";
    write_file_atomically(script,
                          "#NPROCS 1\nsleep 300 & echo \"pid $!\"\nsetsid sleep 300 & echo \"pid $!\"\n"
                          "sh -c 'sleep 300 & echo \"pid $!\"; wait' & echo \"pid $!\"\necho ready\nwait\n");
    std::vector<double> gone_ms, command_ms;
    for (int i = 0; i < cancels; ++i) {
        check_stop();
        const std::string id = lobosq(cluster.root(), dir, {}, script);
        const auto limit = Clock::now() + std::chrono::seconds(10);
        std::vector<pid_t> pids;
        for (;;) {
            const std::string log = slurp(dir / (id + ".log"));
            if (log.find("ready") != std::string::npos) {
                std::istringstream in(log);
                for (std::string line; std::getline(in, line);)
                    if (line.rfind("pid ", 0) == 0) pids.push_back(std::stoi(line.substr(4)));
                if (pids.size() == 4) break;
                pids.clear();
            }
            if (Clock::now() > limit)
                throw std::runtime_error(id + " did not start its processes within 10 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        const auto t0 = Clock::now();
        lobosq(cluster.root(), dir, {"can", id}, {});
        command_ms.push_back(ms_between(t0, Clock::now()));
        const auto gone_limit = Clock::now() + std::chrono::seconds(30);
        while (std::any_of(pids.begin(), pids.end(), alive)) {
            if (Clock::now() > gone_limit)
                throw std::runtime_error(id + "'s processes outlived the cancel by 30 s");
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
        gone_ms.push_back(ms_between(t0, Clock::now()));
    }
    std::printf("cancel, lobosq can to the whole process tree gone, %d jobs: median %.1f ms, max %.1f ms\n",
                cancels, median(gone_ms), maximum(gone_ms));
    std::printf("  of which lobosq can itself (start to the daemon's answer): median %.1f ms\n",
                median(command_ms));
}

void benchmark(const Options& o) {
    bin_dir = o.bin;
    ScratchDir scratch("bench-queue", o.keep);
    QueueCluster cluster(scratch.path() / "root");
    const fs::path work = scratch.path() / "work";
    fs::create_directories(work);
    std::printf("demo cluster up: 8 compute nodes x 2 CPUs, 2 masters; root %s\n", cluster.root().c_str());
    std::fflush(stdout);
    latency(cluster, work, o.latency_jobs);
    std::fflush(stdout);
    throughput(cluster, work, o.jobs, o.submitters);
    std::fflush(stdout);
    cancel(cluster, work, o.cancels);
}

}  // namespace

int main(int argc, char** argv) { return run_benchmark("bench_queue", argc, argv, parse_options, benchmark); }
