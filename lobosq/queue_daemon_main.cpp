// lobosqd: the queue daemon of one master (`lobosqd --node master1`). Every
// master runs one; the one holding the queue lease acts.

#include <iostream>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "lobosq/queue_daemon.hpp"
#include "share/cluster_root.hpp"

namespace po = boost::program_options;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // could not start (directories, inotify)
constexpr int exit_usage = 2;    // bad options or an unusable configuration

}  // namespace

int main(int argc, char** argv) {
    po::options_description options("Usage: lobosqd --node MASTER [--root DIR] [--config DIR]\nOptions");
    options.add_options()             //
        ("help,h", "show this help")  //
        ("node", po::value<std::string>()->value_name("MASTER"), "the master this daemon runs on");
    lobos::add_cluster_options(options);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "lobosqd: " << e.what() << "\n" << options;
        return exit_usage;
    }
    if (vm.count("help")) {
        std::cout << options;
        return exit_ok;
    }
    if (!vm.count("node")) {
        std::cerr << "lobosqd: --node MASTER is required\n" << options;
        return exit_usage;
    }
    const lobos::ClusterPaths paths = lobos::cluster_paths_from(vm);
    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    for (const lobos::Diagnostic& d : load.diagnostics)
        if (d.severity == lobos::Severity::error) std::cerr << to_string(d) << "\n";
    if (!load.ok()) {
        std::cerr << "lobosqd: the configuration in " << paths.config_dir.string() << " is not usable\n";
        return exit_usage;
    }
    const std::string name = vm["node"].as<std::string>();
    const lobos::Node* node = load.config.find_node(name);
    if (!node || !node->is_master()) {
        std::cerr << "lobosqd: --node " << name << ": not a master in "
                  << (paths.config_dir / "nodes").string() << "\n";
        return exit_usage;
    }
    try {
        lobos::QueueDaemon daemon(load.config, paths, *node);
        std::cerr << "lobosqd[" << name << "]: queue daemon on master rank " << node->master_rank()
                  << ", root " << paths.root.string() << "\n";
        daemon.run();
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << name << "]: " << e.what() << "\n";
        return exit_failure;
    }
    return exit_ok;
}
