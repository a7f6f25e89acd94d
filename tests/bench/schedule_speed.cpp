// bench_schedule: how long one full scheduling pass takes (JobQueue::schedule
// with topology-aware placement) with a deep queue: 10,000 waiting jobs of
// mixed shapes (1-128 CPUs, TPIP 1 or 2, ETIME 1-600 min, 8 users in 3
// groups) on the generated cluster of bench_placement (racks of 32 nodes of
// 2 CPUs; 1,024 nodes by default). Two states of the cluster:
//
//   busy  running jobs hold about 95% of the CPUs (filled by first fit, then
//         random jobs ended until 95% remain: fragmented, as after a while),
//         ending at spread-out moments;
//   idle  nothing runs.
//
// Each in submission order and in fair-share order (FairShare with some
// history for each user). Every timed pass runs on a fresh copy of the same
// queue (copied untimed), so each run does the same work. Median of --runs.
//
// Usage: bench_schedule [--nodes 1024] [--runs 5] [--jobs 10000] [--busy 0.95]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "config/topology_graph.hpp"
#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/topology_placement.hpp"
#include "lobosq/scheduler/fair_share.hpp"
#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/cpu_numbering.hpp"
#include "tests/bench/bench_support.hpp"

namespace {

using namespace lobos;
using namespace lobos::bench;
using Clock = std::chrono::steady_clock;
using std::chrono::minutes;

struct Options {
    std::string nodes = "1024";
    int runs = 5;
    int jobs = 10000;
    double busy = 0.95;
};

std::optional<Options> read_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description options("Options");
    options.add_options()("nodes", po::value(&o.nodes), "compute node counts, comma-separated")(
        "runs", po::value(&o.runs), "timed passes per figure (median)")(
        "jobs", po::value(&o.jobs), "waiting jobs")("busy", po::value(&o.busy),
                                                    "share of the CPUs running jobs hold in the busy case");
    if (!read_command_line(argc, argv,
                           "bench_schedule [--nodes 1024] [--runs 5] [--jobs 10000] [--busy 0.95]", options))
        return std::nullopt;
    if (o.runs < 1 || o.jobs < 0 || o.busy < 0 || o.busy > 1)
        throw std::runtime_error("--runs must be at least 1, --jobs at least 0, --busy within 0-1");
    return o;
}

// The moment of every pass; jobs were submitted and started before it.
const JobTime now = JobTime{} + std::chrono::hours(24 * 365 * 30);

constexpr int users = 8;
uid_t user_of(int i) { return static_cast<uid_t>(1000 + i % users); }
gid_t group_of(uid_t uid) { return static_cast<gid_t>(100 + uid % 3); }

// A job of a mixed shape: mostly small, some wide (1-8 CPUs half the time,
// 9-32 a third, up to 128 the rest).
JobSpec random_job(std::mt19937& random, int index) {
    JobSpec spec;
    char id[32];
    std::snprintf(id, sizeof id, "u%d.%08d", index % users, index);
    spec.id = id;
    spec.uid = user_of(index);
    spec.gid = group_of(spec.uid);
    spec.user = "u" + std::to_string(spec.uid);
    const int kind = std::uniform_int_distribution<int>(0, 5)(random);
    const int high = kind < 3 ? 8 : kind < 5 ? 32 : 128;
    const int low = kind < 3 ? 1 : kind < 5 ? 9 : 33;
    JobDirectives& d = spec.directives;
    d.nprocs_low = d.nprocs_high = std::uniform_int_distribution<int>(low, high)(random);
    d.tpip = std::uniform_int_distribution<int>(1, 2)(random);
    d.etime_minutes = std::uniform_int_distribution<int>(1, 600)(random);
    d.confidence = std::uniform_int_distribution<int>(0, 1)(random) ? 100 : 90;
    spec.submitted = now - std::chrono::seconds(std::uniform_int_distribution<int>(1, 86400)(random));
    return spec;
}

// Running jobs holding about `busy` of the CPUs: first fit fills the
// cluster, then random jobs end until `busy` remains held.
std::vector<Job> running_jobs(const std::vector<CpuSlot>& cpus, const std::set<std::string>& up, double busy,
                              std::mt19937& random) {
    CpuAvailability available{&cpus, std::vector<bool>(cpus.size(), true), up};
    std::vector<Job> running;
    int held = 0;
    for (int index = 0, misses = 0; misses < 50; ++index) {
        Job job{random_job(random, 1000000 + index), JobState::running, {}, {}, {}};
        if (auto p = place_first_fit(placement_request(job.spec.directives), available)) {
            for (int cpu : p->cpus) available.free[static_cast<std::size_t>(cpu - 1)] = false;
            held += static_cast<int>(p->cpus.size());
            job.placement = std::move(*p);
            // Started up to its whole ETIME ago: the ends spread over the next 600 minutes.
            job.started = now - minutes(std::uniform_int_distribution<int>(
                                    0, job.spec.directives.etime_minutes - 1)(random));
            running.push_back(std::move(job));
        } else {
            ++misses;
        }
    }
    std::shuffle(running.begin(), running.end(), random);
    while (!running.empty() && held > busy * static_cast<double>(cpus.size())) {
        held -= static_cast<int>(running.back().placement->cpus.size());
        running.pop_back();
    }
    return running;
}

struct Figures {
    double median_ms;
    double max_ms;
    std::size_t started;
    std::size_t estimated;  // waiting jobs given an estimated start
};

Figures time_passes(const JobQueue& base, const ClusterView& view, const PlacementPolicy& place,
                    const FairShare* fair_share, int runs) {
    std::vector<double> ms;
    Figures f{};
    for (int i = 0; i < runs; ++i) {
        check_stop();
        JobQueue queue = base;
        const WaitingOrder order = fair_share ? fair_share->order_for(queue, now) : WaitingOrder{};
        const auto start = Clock::now();
        const SchedulePass pass = queue.schedule(now, view, place, order);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        f.started = pass.started.size();
        f.estimated = static_cast<std::size_t>(
            std::count_if(pass.waiting.begin(), pass.waiting.end(),
                          [](const WaitingEstimate& e) { return e.start.has_value(); }));
    }
    f.median_ms = median(ms);
    f.max_ms = maximum(ms);
    return f;
}

void run(const Options& o) {
    for (int compute : node_counts(o.nodes)) {
        ConfigLoad load = load_cluster_config(rack_cluster(compute));
        if (!load.ok()) throw std::runtime_error("the generated configuration does not load");
        const ClusterConfig& config = load.config;
        const TopologyGraph graph(config);
        const NodeStatus status = all_up(config);
        auto snapshot = std::make_shared<const ClusterSnapshot>(
            build_cluster_snapshot(SnapshotInput{&config, &graph, &status, nullptr, nullptr, {}}));
        const PlacementPolicy place = topology_aware_policy(snapshot, 0);
        const std::vector<CpuSlot> cpus = number_cpus(config);
        ClusterView view;
        for (const CpuSlot& c : cpus) view.up_nodes.insert(c.node);

        std::mt19937 random(11);
        std::vector<JobSpec> waiting;
        for (int i = 0; i < o.jobs; ++i) waiting.push_back(random_job(random, i));
        const std::vector<Job> running = running_jobs(cpus, view.up_nodes, o.busy, random);
        int held = 0;
        for (const Job& job : running) held += static_cast<int>(job.placement->cpus.size());

        // Some history, unequal between users, so that fair share reorders.
        FairShare fair_share(std::chrono::hours(24));
        for (int u = 0; u < users; ++u)
            fair_share.charge(group_of(user_of(u)), user_of(u), 3600.0 * 64 * (u + 1),
                              now - std::chrono::hours(u));

        std::printf(
            "%d compute nodes (%zu CPUs), %d racks of %d; %s waiting jobs (1-128 CPUs, TPIP 1-2, ETIME "
            "1-600 min), median of %d passes\n",
            compute, cpus.size(), (compute + rack_size - 1) / rack_size, rack_size, thousands(o.jobs).c_str(),
            o.runs);
        for (const bool busy : {true, false}) {
            JobQueue base(cpus, ScheduleRules{});
            if (busy)
                for (const Job& job : running) base.add(job);
            for (const JobSpec& spec : waiting) base.add(Job{spec, JobState::waiting, {}, {}, {}});
            for (const bool fair : {false, true}) {
                const Figures f = time_passes(base, view, place, fair ? &fair_share : nullptr, o.runs);
                std::printf(
                    "  %-5s %-22s one pass %9.1f ms (max %9.1f); %zu started, %zu with an estimated start",
                    busy ? "busy" : "idle", fair ? "fair-share order" : "submission order", f.median_ms,
                    f.max_ms, f.started, f.estimated);
                if (busy)
                    std::printf(" (running jobs hold %d CPUs, %.1f%%)", held,
                                100.0 * held / static_cast<double>(cpus.size()));
                std::printf("\n");
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_benchmark<Options>("bench_schedule", argc, argv, read_options, run);
}
