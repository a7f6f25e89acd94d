#include "config/config_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "config/topology_graph.hpp"

namespace lobos {
namespace {

constexpr std::size_t names_shown = 16;  // beyond this a list is cut, with a count

std::string name_list(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < names_shown; ++i) out += (i ? " " : "") + names[i];
    if (names.size() > names_shown) out += " ... (" + std::to_string(names.size() - names_shown) + " more)";
    return out;
}

std::string seconds(Seconds s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", s.count());
    return buf;
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string config_summary(const ClusterConfig& config, const std::vector<Diagnostic>& diagnostics,
                           const std::string& source) {
    std::vector<std::string> compute, hubs, masters;
    for (const Node& n : config.nodes) {
        if (n.is_compute()) compute.push_back(n.name);
        if (n.is_hub()) hubs.push_back(n.name);
    }
    for (const Node* m : config.masters_by_rank())
        masters.push_back(std::to_string(m->master_rank()) + " " + m->name);

    std::size_t direct = 0, to_hubs = 0, mesh = 0;
    for (const Link& l : config.links) {
        if (l.kind == LinkKind::direct) ++direct;
        if (l.kind == LinkKind::hub) ++to_hubs;
        if (l.kind == LinkKind::master_mesh) ++mesh;
    }

    std::string out = "LoBoS cluster configuration in " + source + "\n";
    out += "  compute nodes  " + std::to_string(compute.size()) + ": " + name_list(compute) + " (" +
           plural(static_cast<std::size_t>(config.compute_cpus()), "CPU", "CPUs") + ")\n";
    out += "  masters        " + std::to_string(masters.size()) + " by rank: ";
    for (std::size_t i = 0; i < masters.size() && i < names_shown; ++i) out += (i ? ", " : "") + masters[i];
    if (masters.size() > names_shown) out += ", ...";
    out += "\n";
    out += "  hubs           " + std::to_string(hubs.size()) + (hubs.empty() ? "" : ": " + name_list(hubs)) +
           "\n";
    out += "  links          " + std::to_string(direct + to_hubs) + " from the topology (" +
           std::to_string(direct) + " direct, " + std::to_string(to_hubs) + " to hubs), " +
           std::to_string(mesh) + " between masters\n";
    const PulseConf& p = config.pulse;
    out += "  timers         HeartBeat " + seconds(p.heartbeat) + ", NodeTimeOut " + seconds(p.node_timeout) +
           ", LinkTimeOut " + seconds(p.link_timeout) + ", MasterTimeOut " + seconds(p.master_timeout) + "\n";
    out += "  ports          pulse UDP " + std::to_string(p.pulse_port) + ", webstatus TCP " +
           std::to_string(p.web_port) + "\n";

    {
        TopologyGraph graph(config);
        std::vector<NodeId> reachable = graph.reachable_compute_nodes({});
        std::set<NodeId> reached(reachable.begin(), reachable.end());
        std::vector<std::string> cut_off;
        for (const Node& n : config.nodes)
            if (n.is_compute() && !reached.count(n.id)) cut_off.push_back(n.name);
        out += "  reachable      " + std::to_string(reachable.size()) + " of " +
               std::to_string(compute.size()) + " compute nodes reach a master with every link up";
        out += cut_off.empty() ? "\n" : "; no path from: " + name_list(cut_off) + "\n";
    }

    std::size_t warnings = static_cast<std::size_t>(
        std::count_if(diagnostics.begin(), diagnostics.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::warning; }));
    if (warnings) {
        out += plural(warnings, "warning", "warnings") + ":\n";
        for (const Diagnostic& d : diagnostics)
            if (d.severity == Severity::warning) out += "  " + to_string(d) + "\n";
    }
    out += "configuration usable\n";
    return out;
}

}  // namespace lobos
