#include "share/io/command_line.hpp"

#include <iostream>

#include "config/config_loader.hpp"

namespace lobos {

namespace po = boost::program_options;

CommandLine::CommandLine(std::string program, const std::string& usage)
    : program_(std::move(program)), options_(usage) {
    options_.add_options()("help,h", "show this help");
}

po::options_description_easy_init CommandLine::add_options() { return options_.add_options(); }

std::optional<int> CommandLine::parse(int argc, char** argv) {
    add_cluster_options(options_);
    try {
        po::store(po::command_line_parser(argc, argv).options(options_).run(), values_);
        po::notify(values_);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }
    if (has("help")) {
        std::cout << options_;
        return exit_help;
    }
    paths_ = cluster_paths_from(values_);
    return std::nullopt;
}

int CommandLine::usage_error(std::string_view message) const {
    std::cerr << program_ << ": " << message << "\n" << options_;
    return exit_usage;
}

std::optional<ClusterConfig> CommandLine::load_config(ConfigWarnings warnings) const {
    ConfigLoad load = read_cluster_config(paths_.config_dir);
    for (const Diagnostic& d : load.diagnostics)
        if (warnings == ConfigWarnings::print || d.severity == Severity::error)
            std::cerr << to_string(d) << "\n";
    if (!load.ok()) {
        std::cerr << program_ << ": the configuration in " << paths_.config_dir.string()
                  << " is not usable\n";
        return std::nullopt;
    }
    return std::move(load.config);
}

const Node* CommandLine::node_in(const ClusterConfig& config) const {
    const Node* node = config.find_node(text("node"));
    if (!node) node_refused("no such host in " + nodes_file().string());
    return node;
}

int CommandLine::node_refused(std::string_view why) const {
    std::cerr << program_ << ": --node " << text("node") << ": " << why << "\n";
    return exit_usage;
}

}  // namespace lobos
