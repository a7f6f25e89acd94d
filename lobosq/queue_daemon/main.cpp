// lobosqd: the queue daemon of one master (`lobosqd --node master1`). Every
// master runs one; the one holding the queue lease acts.

#include <exception>
#include <iostream>

#include "lobosq/placement/placement_policies.hpp"
#include "lobosq/queue_daemon/queue_daemon.hpp"
#include "share/io/command_line.hpp"
#include "share/io/daemon_log.hpp"

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
    // pulse.conf keeps the policy's name; the placement table says which exist.
    if (auto wrong =
            lobos::check_placement_policy(config->pulse, (paths.config_dir / "pulse.conf").string())) {
        std::cerr << lobos::to_string(*wrong) << "\nlobosqd: the configuration in "
                  << paths.config_dir.string() << " is not usable\n";
        return exit_usage;
    }
    lobos::DaemonLog log("lobosqd", name);
    try {
        lobos::QueueDaemon daemon(*config, paths, *node,
                                  *lobos::find_placement_policy(config->pulse.placement), log);
        log.info("queue daemon on master rank " + std::to_string(node->master_rank()) + ", root " +
                 paths.root.string() + ", placement " + config->pulse.placement);
        daemon.run();
    } catch (const std::exception& e) {
        log.error(e.what());
        return exit_failure;
    }
    return exit_ok;
}
