// pulse: the heartbeat daemon of one host (`pulse --node NAME`), plus the
// configuration check (`--check`) and the cluster key's creation (`--keygen`).

#include <iostream>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "config/config_summary.hpp"
#include "pulse/pulse_daemon.hpp"
#include "share/cluster_root.hpp"
#include "share/heartbeat_key.hpp"

namespace po = boost::program_options;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // could not start (bind, key, files)
constexpr int exit_usage = 2;    // bad options or an unusable configuration

std::filesystem::path key_path(const lobos::ClusterConfig& config, const lobos::ClusterPaths& paths) {
    std::filesystem::path key = config.pulse.key_file;
    return key.is_absolute() ? key : paths.config_dir / key;
}

// Loads the configuration; prints every problem; nullopt when not usable.
std::optional<lobos::ClusterConfig> load(const lobos::ClusterPaths& paths, bool quiet_warnings) {
    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    for (const lobos::Diagnostic& d : load.diagnostics)
        if (!quiet_warnings || d.severity == lobos::Severity::error) std::cerr << to_string(d) << "\n";
    if (!load.ok()) {
        std::cerr << "pulse: the configuration in " << paths.config_dir.string() << " is not usable\n";
        return std::nullopt;
    }
    return std::move(load.config);
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

int keygen(const lobos::ClusterPaths& paths) {
    auto config = load(paths, true);
    if (!config) return exit_usage;
    const auto path = key_path(*config, paths);
    lobos::write_new_heartbeat_key(path);
    std::cout << "pulse: wrote a new cluster key to " << path.string()
              << " (mode 0600); copy it to every host\n";
    return exit_ok;
}

int run_node(const lobos::ClusterPaths& paths, const std::string& name,
             std::optional<std::filesystem::path> audit_file) {
    auto config = load(paths, false);
    if (!config) return exit_usage;
    const lobos::Node* node = config->find_node(name);
    if (!node) {
        std::cerr << "pulse: --node " << name << ": no such host in " << (paths.config_dir / "nodes").string()
                  << "\n";
        return exit_usage;
    }
    if (node->is_hub()) {
        std::cerr << "pulse: --node " << name << ": a hub runs no daemon\n";
        return exit_usage;
    }
    lobos::HeartbeatKey key = lobos::load_heartbeat_key(key_path(*config, paths));
    lobos::PulseDaemon daemon(*config, paths, node->id, std::move(key), std::move(audit_file));
    std::cerr << "pulse[" << name << "]: " << (node->is_master() ? "master" : "compute node") << " on "
              << node->ip << ":" << config->pulse.pulse_port << ", HeartBeat "
              << config->pulse.heartbeat.count() << " s\n";
    daemon.run();
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description options(
        "Usage: pulse --node NAME [--root DIR] [--config DIR]\n"
        "       pulse --check [--root DIR] [--config DIR]\n"
        "       pulse --keygen [--root DIR] [--config DIR]\nOptions");
    options.add_options()                                                                                   //
        ("help,h", "show this help")                                                                        //
        ("node", po::value<std::string>()->value_name("NAME"),                                              //
         "run the heartbeat daemon of host NAME of the nodes file (its role follows the file)")             //
        ("check", "load the configuration, print a summary and every warning; exit 0 if usable, 2 if not")  //
        ("keygen", "write a new cluster key to pulse.conf's KeyFile (mode 0600); never overwrites one")     //
        ("audit", po::value<std::string>()->value_name("FILE"),
         "with --node on a master: append `master epoch start_ns end_ns` to FILE for every status write");
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
    const lobos::ClusterPaths paths = lobos::cluster_paths_from(vm);
    try {
        if (vm.count("check")) return check(paths);
        if (vm.count("keygen")) return keygen(paths);
        if (vm.count("node")) {
            std::optional<std::filesystem::path> audit;
            if (vm.count("audit")) audit = vm["audit"].as<std::string>();
            return run_node(paths, vm["node"].as<std::string>(), std::move(audit));
        }
    } catch (const std::exception& e) {
        std::cerr << "pulse: " << e.what() << "\n";
        return exit_failure;
    }
    std::cerr << "pulse: say what to do (--node NAME, --check or --keygen)\n" << options;
    return exit_usage;
}
