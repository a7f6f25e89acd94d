#include "config/config_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/nodes_file.hpp"
#include "config/pulse_conf.hpp"
#include "config/topology_file.hpp"

namespace lobos {

namespace {

// Hubs take PulsePort + 1, + 2, ... for their multicast groups
// (ClusterConfig::hub_port); the wake-ups must not land on one of them.
void check_wake_port_against_hubs(ConfigLoad& out, const std::string& file_name, const PulseConfFile& pulse) {
    for (const Node& n : out.config.nodes) {
        if (!n.is_hub() || out.config.hub_port(n.name) != out.config.pulse.wake_port) continue;
        const bool given = pulse.wake_port_line != 0;
        out.diagnostics.push_back(
            {Severity::error, file_name, given ? pulse.wake_port_line : pulse.pulse_port_line,
             given ? "WakePort" : "PulsePort",
             std::to_string(given ? out.config.pulse.wake_port : out.config.pulse.pulse_port),
             "WakePort " + std::to_string(out.config.pulse.wake_port) + " is the multicast port of hub " +
                 n.name + " (PulsePort + its place among the hubs): choose another WakePort"});
        return;
    }
}

}  // namespace

ConfigLoad load_cluster_config(const ConfigTexts& texts) {
    ConfigLoad out;
    NodesFile nodes = parse_nodes(texts.nodes.text, texts.nodes.name);
    TopologyFile topology = parse_topology(texts.topology.text, texts.topology.name, nodes.nodes);
    PulseConfFile pulse = parse_pulse_conf(texts.pulse_conf.text, texts.pulse_conf.name);

    for (auto* part : {&nodes.diagnostics, &topology.diagnostics, &pulse.diagnostics})
        out.diagnostics.insert(out.diagnostics.end(), part->begin(), part->end());

    out.config.links = std::move(topology.links);
    std::vector<Link> mesh = master_mesh_links(nodes.nodes, out.config.links);
    out.config.links.insert(out.config.links.end(), mesh.begin(), mesh.end());
    out.config.nodes = std::move(nodes.nodes);
    out.config.pulse = pulse.conf;
    check_wake_port_against_hubs(out, texts.pulse_conf.name, pulse);
    return out;
}

namespace {

// Reads a whole file; on failure records an error naming it and returns "".
std::string read_file(const std::filesystem::path& path, std::vector<Diagnostic>& diagnostics) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int err = errno;
        diagnostics.push_back({Severity::error, path.string(), 0, "", "",
                               std::string("cannot read: ") + (err ? std::strerror(err) : "unknown error")});
        return {};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

}  // namespace

ConfigLoad read_cluster_config(const std::filesystem::path& config_dir) {
    std::vector<Diagnostic> unreadable;
    ConfigTexts texts;
    texts.nodes.name = (config_dir / "nodes").string();
    texts.topology.name = (config_dir / "topology").string();
    texts.pulse_conf.name = (config_dir / "pulse.conf").string();
    for (ConfigText* t : {&texts.nodes, &texts.topology, &texts.pulse_conf})
        t->text = read_file(t->name, unreadable);

    ConfigLoad load = load_cluster_config(texts);
    // What the parse says of a file that could not be read (an empty nodes
    // file has "no hosts") only hides the real cause.
    std::erase_if(load.diagnostics, [&](const Diagnostic& d) {
        return std::any_of(unreadable.begin(), unreadable.end(),
                           [&](const Diagnostic& u) { return u.file == d.file; });
    });
    load.diagnostics.insert(load.diagnostics.begin(), unreadable.begin(), unreadable.end());
    return load;
}

}  // namespace lobos
