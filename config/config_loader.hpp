#pragma once
// Loads the three configuration files into one ClusterConfig, with every
// warning and error of all three. The parse is pure (texts in, values out);
// read_cluster_config is the edge that reads the files of a directory.

#include <filesystem>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/diagnostic.hpp"

namespace lobos {

struct ConfigText {
    std::string name;  // the path shown in diagnostics
    std::string text;
};

struct ConfigTexts {
    ConfigText nodes;
    ConfigText topology;
    ConfigText pulse_conf;
};

struct ConfigLoad {
    ClusterConfig config;
    std::vector<Diagnostic> diagnostics;  // warnings and errors, in file order: nodes, topology, pulse.conf

    bool ok() const { return !has_errors(diagnostics); }
};

ConfigLoad load_cluster_config(const ConfigTexts& texts);

// Reads DIR/nodes, DIR/topology and DIR/pulse.conf; a file that cannot be
// read is an error naming it, and the others are still checked.
ConfigLoad read_cluster_config(const std::filesystem::path& config_dir);

}  // namespace lobos
