// pulse: the heartbeat daemon of one host (`pulse --node NAME`), plus the
// configuration check (`--check`) and the cluster key's creation (`--keygen`).

#include <iostream>
#include <sstream>

#include "config/config_loader.hpp"
#include "config/config_summary.hpp"
#include "pulse/daemon/heartbeat_key_file.hpp"
#include "pulse/daemon/pulse_daemon.hpp"
#include "share/io/command_line.hpp"
#include "share/io/daemon_log.hpp"

namespace po = boost::program_options;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // could not start (bind, key, files)
constexpr int exit_usage = lobos::CommandLine::exit_usage;

std::filesystem::path key_path(const lobos::ClusterConfig& config, const lobos::ClusterPaths& paths) {
    std::filesystem::path key = config.pulse.key_file;
    return key.is_absolute() ? key : paths.config_dir / key;
}

int check(const lobos::ClusterPaths& paths) {
    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    if (!load.ok()) {
        for (const lobos::Diagnostic& d : load.diagnostics) std::cerr << to_string(d) << "\n";
        std::cerr << "pulse: the configuration in " << paths.config_dir.string() << " is not usable\n";
        return exit_usage;
    }
    std::cout << lobos::config_summary(load.config, load.diagnostics, paths.config_dir.string());
    return exit_ok;
}

int keygen(const lobos::CommandLine& command) {
    const lobos::ClusterPaths& paths = command.paths();
    auto config = command.load_config(lobos::ConfigWarnings::omit);
    if (!config) return exit_usage;
    const auto path = key_path(*config, paths);
    lobos::write_new_heartbeat_key(path);
    std::cout << "pulse: wrote a new cluster key to " << path.string()
              << " (mode 0600); copy it to every host\n";
    return exit_ok;
}

// As a stream shows it: "1", "0.25".
std::string seconds_text(double seconds) {
    std::ostringstream text;
    text << seconds;
    return text.str();
}

int run_node(const lobos::CommandLine& command, std::optional<std::filesystem::path> audit_file) {
    const lobos::ClusterPaths& paths = command.paths();
    auto config = command.load_config(lobos::ConfigWarnings::print);
    if (!config) return exit_usage;
    const lobos::Node* node = command.node_in(*config);
    if (!node) return exit_usage;
    if (node->is_hub()) return command.node_refused("a hub runs no daemon");
    const std::string name = command.text("node");
    lobos::HeartbeatKey key = lobos::load_heartbeat_key(key_path(*config, paths));
    lobos::PulseDaemon daemon(*config, paths, node->id, std::move(key), std::move(audit_file));
    daemon.log().info(std::string(node->is_master() ? "master" : "compute node") + " on " + node->ip + ":" +
                      std::to_string(config->pulse.pulse_port) + ", HeartBeat " +
                      seconds_text(config->pulse.heartbeat.count()) + " s");
    daemon.run();
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    lobos::CommandLine command("pulse",
                               "Usage: pulse --node NAME [--root DIR] [--config DIR]\n"
                               "       pulse --check [--root DIR] [--config DIR]\n"
                               "       pulse --keygen [--root DIR] [--config DIR]\nOptions");
    command.add_options()                                                                                   //
        ("node", po::value<std::string>()->value_name("NAME"),                                              //
         "run the heartbeat daemon of host NAME of the nodes file (its role follows the file)")             //
        ("check", "load the configuration, print a summary and every warning; exit 0 if usable, 2 if not")  //
        ("keygen", "write a new cluster key to pulse.conf's KeyFile (mode 0600); never overwrites one")     //
        ("audit", po::value<std::string>()->value_name("FILE"),
         "with --node on a master: append `master epoch start_ns end_ns` to FILE for every status write");
    if (auto exit = command.parse(argc, argv)) return *exit;
    try {
        if (command.has("check")) return check(command.paths());
        if (command.has("keygen")) return keygen(command);
        if (command.has("node")) {
            std::optional<std::filesystem::path> audit;
            if (command.has("audit")) audit = command.text("audit");
            return run_node(command, std::move(audit));
        }
    } catch (const std::exception& e) {
        // A start-up failure (a socket that cannot be bound, no key): the one
        // kind that ends the daemon, said as its other lines are.
        if (command.has("node"))
            lobos::DaemonLog("pulse", command.text("node")).error(e.what());
        else
            std::cerr << "pulse: " << e.what() << "\n";
        return exit_failure;
    }
    return command.usage_error("say what to do (--node NAME, --check or --keygen)");
}
