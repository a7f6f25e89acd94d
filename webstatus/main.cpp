// webstatus: serves the cluster's status to a browser. This build only reads and checks
// the cluster configuration; the rest of the program is not written yet, and
// it says so rather than pretend.

#include <iostream>

#include "config/config_loader.hpp"
#include "share/command_line.hpp"

int main(int argc, char** argv) {
    lobos::CommandLine command("webstatus", "Usage: webstatus [--root DIR] [--config DIR]\nOptions");
    if (auto exit = command.parse(argc, argv)) return *exit;
    const lobos::ClusterPaths& paths = command.paths();
    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    for (const lobos::Diagnostic& d : load.diagnostics) std::cerr << to_string(d) << "\n";
    if (!load.ok()) return lobos::CommandLine::exit_usage;
    std::cerr << "webstatus: not implemented in this version; the configuration in "
              << paths.config_dir.string() << " is usable\n";
    return 1;
}
