// lobos-runner: the node side of the queue (`lobos-runner --node NAME`), one
// on every compute node. It runs the jobs the queue daemon orders in
// ROOT/nodes/NAME/ and reports how they end (lobosq/node_orders.hpp).

#include "lobosq/runner/job_runner.hpp"
#include "share/io/command_line.hpp"
#include "share/io/daemon_log.hpp"

namespace po = boost::program_options;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // could not start (directory, inotify)
constexpr int exit_usage = lobos::CommandLine::exit_usage;

int run_node(const lobos::CommandLine& command) {
    const std::optional<lobos::ClusterConfig> config = command.load_config(lobos::ConfigWarnings::omit);
    if (!config) return exit_usage;
    const lobos::Node* node = command.node_in(*config);
    if (!node) return exit_usage;
    if (!node->is_compute()) return command.node_refused("jobs run on compute nodes only");
    const lobos::ClusterPaths& paths = command.paths();
    const std::string name = command.text("node");
    lobos::RunnerWakeUps wake_ups{node->ip, config->pulse.wake_port, {}};
    for (const lobos::Node* master : config->masters_by_rank()) wake_ups.masters.push_back(master->ip);
    lobos::JobRunner runner(paths, name,
                            std::chrono::duration_cast<std::chrono::milliseconds>(config->pulse.heartbeat),
                            std::move(wake_ups));
    lobos::DaemonLog("lobos-runner", name)
        .info("running the jobs ordered in " + paths.node_dir(name).string());
    runner.run();
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    lobos::CommandLine command("lobos-runner",
                               "Usage: lobos-runner --node NAME [--root DIR] [--config DIR]\nOptions");
    command.add_options()("node", po::value<std::string>()->value_name("NAME"),
                          "run the jobs the queue sends to compute node NAME (orders in ROOT/nodes/NAME/)");
    if (auto exit = command.parse(argc, argv)) return *exit;
    if (!command.has("node")) return command.usage_error("say which node this is (--node NAME)");
    try {
        return run_node(command);
    } catch (const std::exception& e) {
        // A start-up failure: the one kind that ends the runner.
        lobos::DaemonLog("lobos-runner", command.text("node")).error(e.what());
        return exit_failure;
    }
}
