#pragma once
// The command line of the cluster's programs (pulse, lobosqd, lobos-runner,
// webstatus), read one way so that they agree on what users see: --help
// first in the list, the program's own options, then --root and --config
// (share/cluster_root.hpp); --help printed to standard output; every problem
// with the options or the configuration reported on standard error as
// "PROGRAM: ..." with exit status 2.

#include <optional>
#include <string>
#include <string_view>

#include <boost/program_options.hpp>

#include "config/cluster_config.hpp"
#include "share/io/cluster_root.hpp"

namespace lobos {

// Which of the configuration's diagnostics a program prints: a daemon
// started by hand wants the warnings, one started by a script only what
// stops it.
enum class ConfigWarnings { print, omit };

class CommandLine {
public:
    static constexpr int exit_help = 0;
    static constexpr int exit_usage = 2;  // bad options or an unusable configuration

    // `usage` heads the option list that --help and option errors print,
    // e.g. "Usage: lobosqd --node MASTER [--root DIR] [--config DIR]\nOptions".
    CommandLine(std::string program, const std::string& usage);

    // The program's own options, listed between --help and --root.
    boost::program_options::options_description_easy_init add_options();

    // Reads argv. The exit status when the program ends here: exit_help
    // after printing the option list for --help, exit_usage after printing
    // an option error and the list.
    std::optional<int> parse(int argc, char** argv);

    bool has(const char* option) const { return values_.count(option) > 0; }
    std::string text(const char* option) const { return values_[option].as<std::string>(); }
    const ClusterPaths& paths() const { return paths_; }

    // "PROGRAM: MESSAGE" and the option list on standard error; exit_usage.
    int usage_error(std::string_view message) const;

    // Reads the configuration from paths().config_dir and prints its errors,
    // and its warnings too with ConfigWarnings::print. nullopt, after
    // "PROGRAM: the configuration in DIR is not usable", when it has errors.
    std::optional<ClusterConfig> load_config(ConfigWarnings warnings) const;

    // The host that --node names; nullptr, after "PROGRAM: --node NAME: no
    // such host in DIR/nodes", when the nodes file has none of that name.
    const Node* node_in(const ClusterConfig& config) const;
    // "PROGRAM: --node NAME: WHY" on standard error, for a host that cannot
    // run this program; exit_usage.
    int node_refused(std::string_view why) const;
    std::filesystem::path nodes_file() const { return paths_.config_dir / "nodes"; }

private:
    std::string program_;
    boost::program_options::options_description options_;
    boost::program_options::variables_map values_;
    ClusterPaths paths_;
};

}  // namespace lobos
