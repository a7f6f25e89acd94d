// bench_replay (lobos-replay): a workload in the Standard Workload Format
// (.swf, or .swf.gz) run through the queue's scheduler in simulated time,
// as lobosqd would run it: JobQueue::schedule with first-fit placement, with
// backfill or plain first-come-first-served, in submission or fair-share
// order. It reports what the archive's traces are used to compare:
// utilisation, mean wait, mean bounded slowdown, and how long the replay
// itself took.
//
// The file is read here (zlib reads gzip and plain text alike); parsing and
// the simulation are pure functions of the core (swf_trace, workload_replay).
//
// Usage: bench_replay TRACE [--cpus 128] [--fcfs] [--compare] [--fair-share]
//        [--half-life 24] [--estimate-factor 1] [--compress 1] [--limit N]

#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "lobosq/replay/swf_trace.hpp"
#include "lobosq/replay/workload_replay.hpp"
#include "tests/bench/bench_support.hpp"

namespace {

using namespace lobos;
using namespace lobos::bench;

struct Options {
    std::string trace;
    int cpus = 128;
    bool fcfs = false;
    bool compare = false;
    bool fair_share = false;
    double half_life_hours = 24;
    double estimate_factor = 1;
    double compress = 1;
    int limit = 0;
};

std::optional<Options> read_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description options("Options");
    options.add_options()("trace", po::value(&o.trace),
                          "the workload: an .swf or .swf.gz file (or the first argument)")(
        "cpus", po::value(&o.cpus), "CPUs of the cluster, one a node (the iPSC/860 had 128)")(
        "fcfs", po::bool_switch(&o.fcfs), "plain first-come-first-served (backfill off)")(
        "compare", po::bool_switch(&o.compare), "run first-come-first-served, then backfill, and compare")(
        "fair-share", po::bool_switch(&o.fair_share), "fair-share order between groups and users")(
        "half-life", po::value(&o.half_life_hours), "fair-share half-life, hours (FairShareHalfLife)")(
        "estimate-factor", po::value(&o.estimate_factor),
        "ETIME = run time in whole minutes x this (1: perfect estimates)")(
        "compress", po::value(&o.compress),
        "divide submit times by this, to raise the load (1: as recorded)")(
        "limit", po::value(&o.limit), "replay only the first N jobs of the trace (0: all)");
    // The trace may also be given without --trace.
    std::vector<char*> args(argv, argv + argc);
    std::vector<std::string> storage;
    if (argc >= 2 && argv[1][0] != '-') {
        storage = {"--trace", argv[1]};
        args.erase(args.begin() + 1);
        args.insert(args.begin() + 1, storage[0].data());
        args.insert(args.begin() + 2, storage[1].data());
    }
    if (!read_command_line(
            static_cast<int>(args.size()), args.data(),
            "bench_replay TRACE [--cpus 128] [--fcfs | --compare] [--fair-share] [--half-life 24] "
            "[--estimate-factor 1] [--compress 1] [--limit N]",
            options))
        return std::nullopt;
    if (o.trace.empty()) throw std::runtime_error("no trace given (bench_replay TRACE.swf[.gz])");
    if (o.cpus < 1) throw std::runtime_error("--cpus must be at least 1");
    if (!(o.estimate_factor > 0)) throw std::runtime_error("--estimate-factor must be above 0");
    if (!(o.compress > 0)) throw std::runtime_error("--compress must be above 0");
    if (!(o.half_life_hours > 0)) throw std::runtime_error("--half-life must be above 0");
    return o;
}

// The whole file, gunzipped when it is gzip (gzread passes plain text through).
std::string read_trace(const std::string& path) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) throw std::runtime_error(path + ": cannot open");
    std::string text;
    char buffer[1 << 16];
    for (;;) {
        const int n = gzread(file, buffer, sizeof buffer);
        if (n < 0) {
            int code = 0;
            const std::string message = gzerror(file, &code);
            gzclose(file);
            throw std::runtime_error(path + ": " + message);
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    gzclose(file);
    return text;
}

struct Run {
    const char* name;
    ReplayResult result;
    double wall_seconds;
};

Run replay(const char* name, const std::vector<WorkloadJob>& jobs, const Options& o, bool backfill) {
    ReplaySettings settings;
    settings.cpus = single_cpu_nodes(o.cpus);
    settings.rules.backfill = backfill;
    settings.place = place_first_fit;
    if (o.fair_share)
        settings.fair_share_half_life =
            std::chrono::seconds(static_cast<long long>(o.half_life_hours * 3600));
    check_stop();
    const auto start = std::chrono::steady_clock::now();
    ReplayResult result = replay_workload(jobs, settings);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return Run{name, std::move(result), wall};
}

void print_run(const Run& run, int unknown) {
    const ReplaySummary& s = run.result.summary;
    std::printf("%s:\n", run.name);
    std::printf(
        "  jobs replayed          %s (skipped: %d needing more CPUs than the cluster has, %d of unknown "
        "size or run time)\n",
        thousands(s.replayed).c_str(), s.too_big, unknown);
    if (s.unstarted)
        std::printf("  NOT STARTED            %d (left waiting with nothing more to happen)\n", s.unstarted);
    std::printf("  utilisation            %.1f %%\n", 100 * s.utilisation);
    std::printf("  mean wait              %s s (%.2f h)\n", thousands(s.mean_wait_seconds).c_str(),
                s.mean_wait_seconds / 3600);
    std::printf("  mean bounded slowdown  %.2f (runtime floor 10 s)\n", s.mean_bounded_slowdown);
    std::printf("  makespan               %s s (%.1f days)\n",
                thousands(static_cast<double>(s.makespan.count())).c_str(),
                static_cast<double>(s.makespan.count()) / 86400);
    std::printf("  scheduling passes      %s\n", thousands(static_cast<double>(s.passes)).c_str());
    std::printf("  replay wall time       %.2f s\n", run.wall_seconds);
}

void run(const Options& o) {
    const std::string text = read_trace(o.trace);
    SwfRead read = parse_swf(text);
    if (!read.ok()) {
        std::string message = o.trace + ": " + std::to_string(read.errors.size()) + " bad line(s)";
        for (std::size_t i = 0; i < read.errors.size() && i < 20; ++i)
            message += "\n  " + o.trace + ": " + to_string(read.errors[i]);
        throw std::runtime_error(message);
    }
    if (o.limit > 0 && read.jobs.size() > static_cast<std::size_t>(o.limit))
        read.jobs.resize(static_cast<std::size_t>(o.limit));
    WorkloadFromSwf workload = workload_from_swf(read.jobs, o.estimate_factor);
    // A common way to ask how a scheduler copes with more load than was
    // recorded: the same jobs, arriving closer together.
    if (o.compress != 1)
        for (WorkloadJob& job : workload.jobs)
            job.submit = std::chrono::seconds(
                static_cast<long long>(static_cast<double>(job.submit.count()) / o.compress));

    std::string computer, max_procs;
    for (const auto& [key, value] : read.header) {
        if (key == "Computer" && computer.empty()) computer = value;
        if (key == "MaxProcs" && max_procs.empty()) max_procs = value;
    }
    // The NASA trace's header says so in a note running over two lines.
    const bool start_times = text.find("times are actually start times") != std::string::npos;
    std::printf("trace: %s: %s jobs", o.trace.c_str(),
                thousands(static_cast<double>(read.jobs.size())).c_str());
    if (!computer.empty()) std::printf(", from the %s", computer.c_str());
    if (!max_procs.empty()) std::printf(" (MaxProcs %s)", max_procs.c_str());
    std::printf("\n");
    if (start_times)
        std::printf(
            "note: the header says its submit times are really start times; they are replayed as "
            "submissions\n");
    std::printf(
        "cluster: %d CPUs, %d nodes of 1 CPU, first-fit placement; ETIME = run time in whole minutes x %g, "
        "CONF 100%s\n",
        o.cpus, o.cpus, o.estimate_factor, o.fair_share ? "; fair-share order" : "");
    if (o.compress != 1) std::printf("load: submit times divided by %g\n", o.compress);
    std::printf("\n");

    if (!o.compare) {
        print_run(replay(o.fcfs ? "first-come-first-served" : "backfill", workload.jobs, o, !o.fcfs),
                  workload.unknown);
        return;
    }
    const Run fcfs = replay("first-come-first-served", workload.jobs, o, false);
    print_run(fcfs, workload.unknown);
    const Run backfill = replay("backfill", workload.jobs, o, true);
    print_run(backfill, workload.unknown);
    std::printf("\n%-24s %8s %8s %12s %10s %9s\n", "policy", "jobs", "util", "mean wait", "slowdown", "wall");
    for (const Run* r : {&fcfs, &backfill}) {
        const ReplaySummary& s = r->result.summary;
        std::printf("%-24s %8s %7.1f%% %10s s %10.2f %7.2f s\n", r->name, thousands(s.replayed).c_str(),
                    100 * s.utilisation, thousands(s.mean_wait_seconds).c_str(), s.mean_bounded_slowdown,
                    r->wall_seconds);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_benchmark<Options>("bench_replay", argc, argv, read_options, run);
}
