// bench_node_rss: the resident memory of a compute node's pulse. The demo
// cluster (config/examples/demo) is copied into a cluster root of its own,
// moved to a private 127.77.x.y prefix and PulsePort, given a key; master1
// and the compute node n01 are started (with --all, every host of the demo),
// run --seconds after node_status shows them up, and VmRSS and VmHWM are read
// from /proc/PID/status. The aim is under 8 MiB resident for a compute node.
// The largest mappings of the first run's n01 are listed, to show where the
// memory is.
//
// Usage: bench_node_rss [--runs 3] [--seconds 10] [--all]

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
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

namespace {

using namespace lobos;
using namespace lobos::bench;
using Clock = std::chrono::steady_clock;

struct Options {
    int runs = 3;
    double seconds = 10;
    bool all = false;
};

std::optional<Options> parse_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description options;
    options.add_options()                                                                     //
        ("runs", po::value(&o.runs)->value_name("N"), "runs (default 3)")                     //
        ("seconds", po::value(&o.seconds)->value_name("S"), "seconds after up (default 10)")  //
        ("all", po::bool_switch(&o.all), "run every host of the demo, not just master1 and n01");
    if (!read_command_line(argc, argv, "bench_node_rss [options]", options)) return std::nullopt;
    if (o.runs < 1 || o.seconds < 1 || o.seconds > 600) throw std::runtime_error("bad options");
    return o;
}

std::string slurp(const std::filesystem::path& p) { return read_file_if_exists(p).value_or(""); }

struct Memory {
    double rss_kib = 0, hwm_kib = 0, anon_kib = 0, file_kib = 0;
    // From smaps_rollup: shared library pages count whole in VmRSS though
    // every process of the host shares them; Pss divides them among their
    // users, Private is what this process alone holds.
    double pss_kib = 0, private_kib = 0;
};

// A field of /proc/PID/smaps_rollup, in KiB.
double rollup_kib(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1));
    return 0;
}

Memory memory_of(pid_t pid) {
    return {static_cast<double>(status_kib(pid, "VmRSS").value_or(0)),
            static_cast<double>(status_kib(pid, "VmHWM").value_or(0)),
            static_cast<double>(status_kib(pid, "RssAnon").value_or(0)),
            static_cast<double>(status_kib(pid, "RssFile").value_or(0)),
            rollup_kib(pid, "Pss"),
            rollup_kib(pid, "Private_Clean") + rollup_kib(pid, "Private_Dirty")};
}

// Resident KiB per mapped file (or [heap], [stack], anonymous), largest first.
std::vector<std::pair<std::string, long>> largest_mappings(pid_t pid, std::size_t count) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    std::map<std::string, long> by_name;
    std::string current;
    const std::regex header(R"(^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$)");
    std::smatch m;
    for (std::string line; std::getline(in, line);) {
        if (std::regex_match(line, m, header)) {
            current = m[1].str().empty() ? "[anonymous]" : m[1].str();
        } else if (line.rfind("Rss:", 0) == 0) {
            by_name[current] += std::stol(line.substr(4));
        }
    }
    std::vector<std::pair<std::string, long>> out(by_name.begin(), by_name.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (out.size() > count) out.resize(count);
    return out;
}

struct RunResult {
    std::map<std::string, Memory> hosts;
};

RunResult run_once(const Options& o, int run, bool show_mappings) {
    ScratchDir scratch("node-rss-" + std::to_string(run));
    const std::filesystem::path root = scratch.path();
    write_demo_cluster(root, "127.77." + std::to_string(1 + ::getpid() % 250) + ".");

    std::vector<std::string> hosts{"master1", "n01"};
    if (o.all) {
        ConfigLoad load = read_cluster_config(root / "config");
        hosts.clear();
        for (const Node& n : load.config.nodes)
            if (!n.is_hub()) hosts.push_back(n.name);
    }
    std::map<std::string, std::unique_ptr<ChildProcess>> daemons;
    for (const std::string& h : hosts)
        daemons[h] = std::make_unique<ChildProcess>(
            std::vector<std::string>{program("pulse"), "--node", h, "--root", root.string()},
            root / (h + ".log"));

    auto all_up = [&] {
        auto text = read_file_if_exists(root / "node_status");
        if (!text) return false;
        NodeStatus s = parse_node_status(*text, std::chrono::system_clock::now()).status;
        int up = 0;
        for (const NodeState& n : s.nodes)
            if (n.up && daemons.count(n.name)) ++up;
        return up == static_cast<int>(daemons.size());
    };
    const auto up_limit = Clock::now() + std::chrono::seconds(20);
    while (!all_up()) {
        check_stop();
        for (auto& [h, d] : daemons)
            if (!d->running()) throw std::runtime_error(h + " ended: " + slurp(root / (h + ".log")));
        if (Clock::now() > up_limit) throw std::runtime_error("the demo hosts did not come up within 20 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto until = Clock::now() + std::chrono::duration<double>(o.seconds);
    while (Clock::now() < until) {
        check_stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    RunResult r;
    for (auto& [h, d] : daemons) {
        if (!d->running()) throw std::runtime_error(h + " ended: " + slurp(root / (h + ".log")));
        r.hosts[h] = memory_of(d->pid());
    }
    if (show_mappings) {
        std::printf("  n01's largest mappings (resident KiB):\n");
        for (const auto& [name, kib] : largest_mappings(daemons.at("n01")->pid(), 10))
            std::printf("    %7ld  %s\n", kib, name.c_str());
    }
    for (auto& [h, d] : daemons) d->stop();
    return r;
}

void benchmark(const Options& o) {
    std::map<std::string, std::vector<Memory>> by_host;
    for (int run = 0; run < o.runs; ++run) {
        std::printf("run %d: %s, %.0f s after they are up\n", run + 1,
                    o.all ? "every host of the demo" : "master1 and n01", o.seconds);
        const RunResult r = run_once(o, run, run == 0);
        for (const auto& [h, m] : r.hosts) {
            by_host[h].push_back(m);
            std::printf(
                "  %-8s VmRSS %6.0f KiB  VmHWM %6.0f KiB  (RssAnon %5.0f, RssFile %5.0f; Pss %5.0f, "
                "Private %5.0f)\n",
                h.c_str(), m.rss_kib, m.hwm_kib, m.anon_kib, m.file_kib, m.pss_kib, m.private_kib);
        }
        std::fflush(stdout);
    }
    std::printf(
        "\nSummary: median of %d runs (aim: a compute node under 8 MiB = 8192 KiB resident; "
        "the last column says whether VmHWM is)\n",
        o.runs);
    std::printf("%-9s %10s %10s %10s %10s %10s %10s %8s\n", "host", "VmRSS KiB", "VmHWM KiB", "RssAnon",
                "RssFile", "Pss", "Private", "< 8 MiB");
    for (const auto& [h, ms] : by_host) {
        auto col = [&](double Memory::*f) {
            std::vector<double> v;
            for (const Memory& m : ms) v.push_back(m.*f);
            return median(v);
        };
        const double hwm = col(&Memory::hwm_kib);
        std::printf("%-9s %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f %8s\n", h.c_str(), col(&Memory::rss_kib),
                    hwm, col(&Memory::anon_kib), col(&Memory::file_kib), col(&Memory::pss_kib),
                    col(&Memory::private_kib), hwm < 8192 ? "yes" : "NO");
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_benchmark("bench_node_rss", argc, argv, parse_options, benchmark);
}
