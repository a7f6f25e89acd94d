// lobosqd: the queue daemon of one master (`lobosqd --node master1`). Every
// master runs one; the one holding the queue lease acts.

#include <iostream>

#include "lobosq/queue_daemon/queue_daemon.hpp"
#include "share/io/command_line.hpp"

namespace po = boost::program_options;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // could not start (directories, inotify)
constexpr int exit_usage = lobos::CommandLine::exit_usage;

}  // namespace

int main(int argc, char** argv) {
    lobos::CommandLine command("lobosqd",
                               "Usage: lobosqd --node MASTER [--root DIR] [--config DIR]\nOptions");
    command.add_options()("node", po::value<std::string>()->value_name("MASTER"),
                          "the master this daemon runs on");
    if (auto exit = command.parse(argc, argv)) return *exit;
    if (!command.has("node")) return command.usage_error("--node MASTER is required");
    const lobos::ClusterPaths& paths = command.paths();
    const std::optional<lobos::ClusterConfig> config = command.load_config(lobos::ConfigWarnings::omit);
    if (!config) return exit_usage;
    const std::string name = command.text("node");
    const lobos::Node* node = config->find_node(name);
    if (!node || !node->is_master())
        return command.node_refused("not a master in " + command.nodes_file().string());
    try {
        lobos::QueueDaemon daemon(*config, paths, *node);
        std::cerr << "lobosqd[" << name << "]: queue daemon on master rank " << node->master_rank()
                  << ", root " << paths.root.string() << "\n";
        daemon.run();
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << name << "]: " << e.what() << "\n";
        return exit_failure;
    }
    return exit_ok;
}
