// pulse: the heartbeat daemon. For now: `pulse --check` validates a cluster's
// configuration and prints what it describes.

#include <iostream>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "config/config_summary.hpp"
#include "share/cluster_root.hpp"

namespace po = boost::program_options;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_usage = 2;
constexpr int exit_bad_config = 2;

int check(const lobos::ClusterPaths& paths) {
    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    if (!load.ok()) {
        for (const lobos::Diagnostic& d : load.diagnostics) std::cerr << to_string(d) << "\n";
        std::cerr << "pulse: the configuration in " << paths.config_dir.string() << " is not usable\n";
        return exit_bad_config;
    }
    std::cout << lobos::config_summary(load.config, load.diagnostics, paths.config_dir.string());
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description options("Usage: pulse --check [--root DIR] [--config DIR]\nOptions");
    options.add_options()             //
        ("help,h", "show this help")  //
        ("check", "load the configuration, print a summary and every warning; exit 0 if usable, 2 if not");
    lobos::add_cluster_options(options);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "pulse: " << e.what() << "\n" << options;
        return exit_usage;
    }
    if (vm.count("help")) {
        std::cout << options;
        return exit_ok;
    }
    if (vm.count("check")) return check(lobos::cluster_paths_from(vm));
    std::cerr << "pulse: say what to do (--check)\n" << options;
    return exit_usage;
}
