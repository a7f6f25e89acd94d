#pragma once
// What the benchmarks share: generated clusters of any size, a scratch
// cluster root, pulse as a child process that cannot outlive the benchmark,
// readings of /proc, and medians. Benchmarks report figures; they assert
// nothing, but they stop by themselves and leave no process behind.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "config/config_loader.hpp"
#include "share/formats/node_status.hpp"

namespace lobos::bench {

// Set by SIGINT/SIGTERM (install_stop_handler): every loop checks it, so an
// interrupted benchmark unwinds and its destructors kill what it started.
extern std::atomic<bool> stop_requested;
void install_stop_handler();
// Throws std::runtime_error("interrupted") once a stop was requested.
void check_stop();

// The configuration texts of a generated cluster: `compute` nodes n00001...
// on 127.20.x.y, masters master1... on 127.19.0.m, hubs hub1...; compute
// nodes in a ring of direct links (node i to i+1, the last to the first),
// node i on hub (i mod hubs), every master on every hub.
struct ClusterShape {
    int compute = 1000;
    int masters = 1;
    int hubs = 1;
    bool ring = true;
    double heartbeat = 1;
    double timeout = 3;  // NodeTimeOut, LinkTimeOut and MasterTimeOut
    std::uint16_t port = 7311;
};
struct ClusterTexts {
    std::string nodes;
    std::string topology;
    std::string pulse_conf;
};
ClusterTexts generate_cluster(const ClusterShape& shape);
// Writes the texts as ROOT/config/{nodes,topology,pulse.conf}.
void write_cluster_config(const std::filesystem::path& root, const ClusterTexts& texts);
std::string compute_name(int i);     // 0-based: n00001 for 0
std::string compute_address(int i);  // 0-based: 127.20.0.1 for 0
std::string master_address(int m);   // 0-based: 127.19.0.1 for 0

// The scheduler benchmarks' cluster: racks of `rack_size` compute nodes of
// 2 CPUs (n00001... on 10.x.y.z), each rack a ring of direct links and all
// of it on the rack's hub; two masters on every rack hub as the spine that
// joins the racks (config/topology allows no hub-to-hub link, so the spine
// runs through hosts).
inline constexpr int rack_size = 32;
ConfigTexts rack_cluster(int compute);
// node_status with every node and link of `config` up.
NodeStatus all_up(const ClusterConfig& config);

// A UDP port p with p, p+1 .. p+extra all free on every address now, for a
// cluster of the benchmark's own (PulsePort and the hubs' ports above it).
std::uint16_t free_udp_ports(int extra);

// The demo cluster (config/examples/demo) in ROOT/config, moved from
// 127.0.76.x to `prefix` (e.g. "127.77.3.") and to free ports of its own,
// with a fresh key. Returns its PulsePort. Throws std::runtime_error.
std::uint16_t write_demo_cluster(const std::filesystem::path& root, const std::string& prefix);

// A fresh directory under the system's temporary directory, removed with
// everything in it at the end unless kept.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& purpose, bool keep = false);
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    bool keep_;
};

// A program running in the background, output to a log file. Killed
// (SIGKILL) and reaped when the object goes; the kernel kills it too if the
// benchmark itself dies (PR_SET_PDEATHSIG), so no master is left running.
class ChildProcess {
public:
    ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    // Waits up to `timeout` for it to end: its exit code (-1 if killed by a signal), or nullopt.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // SIGTERM, then up to `grace` for it to end; SIGKILL after that.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int exit_code_ = -1;
};

// Runs a program to its end, killing it after `deadline`; its exit code (-1 when killed).
int run_to_end(const std::vector<std::string>& argv, const std::filesystem::path& log,
               std::chrono::milliseconds deadline);

// build/bin/NAME and a path in the source tree.
std::string program(const std::string& name);
std::filesystem::path source_path(const std::string& relative);

// utime + stime of a process, in seconds (from /proc/PID/stat).
std::optional<double> cpu_seconds(pid_t pid);
// A "Vm..." or "Rss..." line of /proc/PID/status, in KiB.
std::optional<long> status_kib(pid_t pid, const std::string& field);

// Drops counted by the kernel on the UDP socket bound to ADDRESS:PORT
// (receive buffer full), from /proc/net/udp; nullopt if there is none.
std::optional<std::uint64_t> udp_socket_drops(const std::string& address, std::uint16_t port);

double median(std::vector<double> values);
double maximum(const std::vector<double>& values);
// Nearest rank: the value that `fraction` (0.99: p99) of the values are at or below.
double percentile(std::vector<double> values, double fraction);

// /proc/loadavg's three load averages, "1.27 1.67 1.07".
std::string load_average();
// The wall clock in seconds, as `date +%s.%N` prints it (every process on the machine shares it).
double wall_seconds();

// "1,234,567"
std::string thousands(double value);

// The benchmarks' command lines, read with Boost.Program_options: `options`
// are the program's own; --help is added. Returns false when --help was
// asked (the usage is printed); throws std::runtime_error with the usage on
// a bad option.
bool read_command_line(int argc, char** argv, const char* usage,
                       const boost::program_options::options_description& options);

// A benchmark's main: SIGINT and SIGTERM stop it cleanly, `read_options`
// reads its command line (nullopt: --help was printed, exit status 0), and
// an exception from either, or from `run`, ends it with "NAME: what" on
// standard error and exit status 1, after the destructors have stopped
// what it started.
template <typename Options>
int run_benchmark(const char* name, int argc, char** argv,
                  std::optional<Options> (*read_options)(int, char**), void (*run)(const Options&)) {
    try {
        install_stop_handler();
        if (const std::optional<Options> options = read_options(argc, argv)) run(*options);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 1;
    }
}

// "1000,10000" -> {1000, 10000}; throws std::runtime_error naming the bad part.
std::vector<int> node_counts(const std::string& list);

}  // namespace lobos::bench
