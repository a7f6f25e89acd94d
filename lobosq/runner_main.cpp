// lobos-runner: the node side of the queue (`lobos-runner --node NAME`), one
// on every compute node. It runs the jobs the queue daemon orders in
// ROOT/nodes/NAME/ and reports how they end (lobosq/node_orders.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "lobosq/job_runner.hpp"
#include "share/cluster_root.hpp"

namespace po = boost::program_options;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // could not start (directory, inotify)
constexpr int exit_usage = 2;    // bad options or an unusable configuration

int run_node(const lobos::ClusterPaths& paths, const std::string& name) {
    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    for (const lobos::Diagnostic& d : load.diagnostics)
        if (d.severity == lobos::Severity::error) std::cerr << to_string(d) << "\n";
    if (!load.ok()) {
        std::cerr << "lobos-runner: the configuration in " << paths.config_dir.string() << " is not usable\n";
        return exit_usage;
    }
    const lobos::Node* node = load.config.find_node(name);
    if (!node) {
        std::cerr << "lobos-runner: --node " << name << ": no such host in "
                  << (paths.config_dir / "nodes").string() << "\n";
        return exit_usage;
    }
    if (!node->is_compute()) {
        std::cerr << "lobos-runner: --node " << name << ": jobs run on compute nodes only\n";
        return exit_usage;
    }
    lobos::JobRunner runner(paths, name);
    std::cerr << "lobos-runner[" << name << "]: running the jobs ordered in " << paths.node_dir(name).string()
              << "\n";
    runner.run();
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description options("Usage: lobos-runner --node NAME [--root DIR] [--config DIR]\nOptions");
    options.add_options()                                       //
        ("help,h", "show this help")                            //
        ("node", po::value<std::string>()->value_name("NAME"),  //
         "run the jobs the queue sends to compute node NAME (orders in ROOT/nodes/NAME/)");
    lobos::add_cluster_options(options);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "lobos-runner: " << e.what() << "\n" << options;
        return exit_usage;
    }
    if (vm.count("help")) {
        std::cout << options;
        return exit_ok;
    }
    if (!vm.count("node")) {
        std::cerr << "lobos-runner: say which node this is (--node NAME)\n" << options;
        return exit_usage;
    }
    try {
        return run_node(lobos::cluster_paths_from(vm), vm["node"].as<std::string>());
    } catch (const std::exception& e) {
        std::cerr << "lobos-runner: " << e.what() << "\n";
        return exit_failure;
    }
}
