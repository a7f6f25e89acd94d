// lobosq: submits, cancels and lists jobs. This build only reads and checks
// the cluster configuration; the rest of the program is not written yet, and
// it says so rather than pretend.

#include <iostream>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "share/cluster_root.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    po::options_description options("Usage: lobosq [--root DIR] [--config DIR] < job\nOptions");
    options.add_options()("help,h", "show this help");
    lobos::add_cluster_options(options);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "lobosq: " << e.what() << "\n" << options;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << options;
        return 0;
    }
    lobos::ClusterPaths paths = lobos::cluster_paths_from(vm);
    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    for (const lobos::Diagnostic& d : load.diagnostics) std::cerr << to_string(d) << "\n";
    if (!load.ok()) return 2;
    std::cerr << "lobosq: not implemented in this version; the configuration in " << paths.config_dir.string()
              << " is usable\n";
    return 1;
}
