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
#include "lobosq/closeness_score.hpp"
#include "lobosq/cluster_snapshot.hpp"
#include "lobosq/topology_placement.hpp"
#include "tests/bench/bench_support.hpp"

namespace {

using namespace lobos;
using namespace lobos::bench;
using Clock = std::chrono::steady_clock;

constexpr int rack_size = 32;

std::string node_name(int i) {
    char name[16];
    std::snprintf(name, sizeof name, "n%05d", i + 1);
    return name;
}
std::string node_address(int i) {
    return "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
           std::to_string(i % 256);
}

ConfigTexts rack_cluster(int compute) {
    const int racks = (compute + rack_size - 1) / rack_size;
    std::ostringstream nodes;
    nodes << "#id ip name type CPUs CPUtype clock speed RAM swap links lx ly px py\n";
    for (int i = 0; i < compute; ++i)
        nodes << i + 1 << " " << node_address(i) << " " << node_name(i)
              << " 0 2 1 2400 1.0 4096 1024 3 0 0 0 0\n";
    for (int m = 0; m < 2; ++m)
        nodes << compute + 1 + m << " 10.255.0." << m + 1 << " master" << m + 1 << " " << m + 1
              << " 2 1 2400 1.0 4096 1024 " << racks << " 0 0 0 0\n";
    for (int r = 0; r < racks; ++r)
        nodes << compute + 3 + r << " 999.999.999.999 hub" << r + 1 << " 0 0 1 0 0.0 0 0 0 0 0 0 0\n";
    std::ostringstream topology;
    for (int r = 0; r < racks; ++r) {
        for (int m = 0; m < 2; ++m)
            topology << "master" << m + 1 << " hub" << r + 1 << " 10.255.0." << m + 1 << " 999.999.999.999\n";
        const int first = r * rack_size;
        const int last = std::min(compute, first + rack_size);
        for (int i = first; i < last; ++i) {
            topology << node_name(i) << " hub" << r + 1 << " " << node_address(i) << " 999.999.999.999\n";
            const int next = i + 1 < last ? i + 1 : first;
            if (last - first > 2 || (next > i))
                topology << node_name(i) << " " << node_name(next) << " " << node_address(i) << " "
                         << node_address(next) << "\n";
        }
    }
    return ConfigTexts{{"nodes", nodes.str()}, {"topology", topology.str()}, {"pulse.conf", "HeartBeat 1\n"}};
}

NodeStatus all_up(const ClusterConfig& config) {
    NodeStatus status;
    for (const Node& node : config.nodes) status.nodes.push_back(NodeState{node.name, true, {}});
    for (const Link& link : config.links)
        status.links.push_back(LinkState{link.name1, link.name2, link.ip1, link.ip2, true, {}});
    return status;
}

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
