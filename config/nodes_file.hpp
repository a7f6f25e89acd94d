#pragma once
// config/nodes: one host a line, 15 fields, as LoBoS wrote it:
//   id ip name type CPUs CPUtype clock speed RAM swap links lx ly px py

#include <string_view>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/diagnostic.hpp"

namespace lobos {

struct NodesFile {
    std::vector<Node> nodes;  // only the lines that parsed
    std::vector<Diagnostic> diagnostics;
};

NodesFile parse_nodes(std::string_view text, std::string_view file_name);

}  // namespace lobos
