#pragma once
// config/topology: one link a line, `name1 name2 IP1 IP2`. A link naming a
// host that config/nodes does not list is a warning and is skipped (the LoBoS
// sample has such lines); a malformed line is an error.

#include <string_view>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/diagnostic.hpp"

namespace lobos {

struct TopologyFile {
    std::vector<Link> links;  // file order; a hub link always has the hub as name2
    std::vector<Diagnostic> diagnostics;
};

TopologyFile parse_topology(std::string_view text, std::string_view file_name,
                            const std::vector<Node>& nodes);

// The links masters keep between themselves whatever the topology says: one
// per pair of masters not already joined by a topology link, higher rank
// first (as in the LoBoS node_status sample: `master2 master1`).
std::vector<Link> master_mesh_links(const std::vector<Node>& nodes, const std::vector<Link>& topology_links);

}  // namespace lobos
