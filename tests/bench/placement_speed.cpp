// bench_placement: how fast topology-aware placement is, and how close the
// jobs it places are, on generated clusters: racks of 32 compute nodes (2
// CPUs each), each rack a ring of direct links and all of it on the rack's
// hub; two masters on every rack hub as the spine joining the racks
// (config/topology refuses hub-to-hub links, so the spine runs through
// hosts). Two measurements per size:
//
//   speed     place_topology_aware for a 128-CPU job (TPIP 1 and 2) on the
//             idle cluster, median of --runs; place_first_fit beside it, and
//             what building the snapshot costs (done once per node_status
//             change, not per placement).
//   closeness one random workload (jobs of 2-128 CPUs, TPIP 1 or 2, each
//             ending at random so that the cluster stays about 85% busy)
//             placed by each policy: the mean hops between two nodes of the
//             same job, over jobs of two or more nodes; and the time of each
//             topology-aware placement on the fragmented cluster.
//
// Usage: bench_placement [--nodes 1024,4096] [--runs 15] [--jobs 400]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "config/topology_graph.hpp"
#include "lobosq/placement/closeness_score.hpp"
#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/placement/topology_placement.hpp"
#include "tests/bench/bench_support.hpp"

namespace {

using namespace lobos;
using namespace lobos::bench;
using Clock = std::chrono::steady_clock;

template <class F>
double median_ms(int runs, F&& f) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        check_stop();
        const auto start = Clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    return median(ms);
}

double mean_pair_hops(const Placement& p, const ClusterSnapshot& s) {
    std::vector<int> vertices;
    for (const std::string& name : p.distinct_nodes())
        for (const ComputeNodeView& node : s.compute)
            if (node.name() == name) vertices.push_back(node.vertex);
    const double pairs = static_cast<double>(vertices.size()) * static_cast<double>(vertices.size() - 1) / 2;
    return static_cast<double>(pairwise_hops(vertices, s.hops)) / pairs;
}

// One random workload through `place`: returns (mean hops over multi-node
// jobs, jobs placed).
template <class Place>
std::pair<double, int> workload(const ClusterSnapshot& s, int jobs, Place&& place) {
    std::mt19937 random(42);
    CpuAvailability available = snapshot_availability(s);
    std::vector<std::vector<int>> running;
    double hops = 0;
    int counted = 0;
    int placed = 0;
    for (int j = 0; j < jobs; ++j) {
        check_stop();
        const int cpus = std::uniform_int_distribution<int>(2, 128)(random);
        const int tpip = std::uniform_int_distribution<int>(1, 2)(random);
        // Each running job ends before the next arrives with a chance that
        // keeps the cluster about 85% busy (jobs average 65 CPUs).
        const double end_chance = 65.0 / (0.85 * static_cast<double>(s.cpus.size()));
        for (std::size_t r = 0; r < running.size();) {
            if (std::uniform_real_distribution<double>(0, 1)(random) < end_chance) {
                for (int cpu : running[r]) available.free[static_cast<std::size_t>(cpu - 1)] = true;
                running.erase(running.begin() + static_cast<long>(r));
            } else {
                ++r;
            }
        }
        auto p = place(PlacementRequest{cpus, cpus, tpip, {}}, available);
        if (!p) continue;
        ++placed;
        for (int cpu : p->cpus) available.free[static_cast<std::size_t>(cpu - 1)] = false;
        running.push_back(p->cpus);
        if (p->distinct_nodes().size() >= 2) {
            hops += mean_pair_hops(*p, s);
            ++counted;
        }
    }
    return {counted ? hops / counted : 0, placed};
}

}  // namespace

int main(int argc, char** argv) try {
    install_stop_handler();
    std::string nodes = "1024,4096";
    int runs = 15;
    int jobs = 400;
    namespace po = boost::program_options;
    po::options_description options("Options");
    options.add_options()("nodes", po::value(&nodes), "compute node counts, comma-separated")(
        "runs", po::value(&runs), "timed runs per figure (median)")("jobs", po::value(&jobs),
                                                                    "jobs in the closeness workload");
    if (!read_command_line(argc, argv, "bench_placement [--nodes 1024,4096] [--runs 15] [--jobs 400]",
                           options))
        return 0;

    for (int compute : node_counts(nodes)) {
        ConfigLoad load = load_cluster_config(rack_cluster(compute));
        if (!load.ok()) throw std::runtime_error("the generated configuration does not load");
        const ClusterConfig& config = load.config;
        const TopologyGraph graph(config);
        const NodeStatus status = all_up(config);
        std::printf("%d compute nodes (%d CPUs), %d racks of %d, 2 masters as the spine\n", compute,
                    config.compute_cpus(), (compute + rack_size - 1) / rack_size, rack_size);

        ClusterSnapshot snapshot;
        const double build = median_ms(std::max(3, runs / 3), [&] {
            snapshot = build_cluster_snapshot(SnapshotInput{&config, &graph, &status, nullptr, nullptr, {}});
        });
        std::printf("  snapshot build            %8.3f ms (median)\n", build);
        const CpuAvailability available = snapshot_availability(snapshot);
        const TopologyPlacementContext context{&snapshot, 0};
        for (int tpip : {1, 2}) {
            const PlacementRequest request{128, 128, tpip, {}};
            std::optional<Placement> p;
            const double topo =
                median_ms(runs, [&] { p = place_topology_aware(request, available, context); });
            std::optional<Placement> f;
            const double first = median_ms(runs, [&] { f = place_first_fit(request, available); });
            std::printf(
                "  128 CPUs TPIP %d: topology-aware %8.3f ms, first-fit %8.3f ms; mean hops in job %.2f vs "
                "%.2f\n",
                tpip, topo, first, p ? mean_pair_hops(*p, snapshot) : -1.0,
                f ? mean_pair_hops(*f, snapshot) : -1.0);
        }
        std::vector<double> per_job;
        const auto topo = workload(snapshot, jobs, [&](const PlacementRequest& r, const CpuAvailability& a) {
            const auto start = Clock::now();
            auto p = place_topology_aware(r, a, context);
            per_job.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
            return p;
        });
        const auto first = workload(snapshot, jobs, [&](const PlacementRequest& r, const CpuAvailability& a) {
            return place_first_fit(r, a);
        });
        std::printf(
            "  workload of %d jobs (2-128 CPUs): mean hops between two nodes of a job: topology-aware %.2f "
            "(%d placed, "
            "median %.3f ms, max %.3f ms), first-fit %.2f (%d placed)\n",
            jobs, topo.first, topo.second, median(per_job), maximum(per_job), first.first, first.second);
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_placement: %s\n", e.what());
    return 1;
}
