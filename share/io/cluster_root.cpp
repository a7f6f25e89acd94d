#include "share/io/cluster_root.hpp"

#include <cstdlib>

#include <boost/program_options.hpp>

namespace lobos {

namespace po = boost::program_options;

namespace {

std::optional<std::string> given(const std::optional<std::string>& value) {
    return value && !value->empty() ? value : std::nullopt;
}

}  // namespace

ClusterPaths resolve_cluster_paths(const std::optional<std::string>& root_option,
                                   const std::optional<std::string>& config_option,
                                   const std::optional<std::string>& environment_root) {
    ClusterPaths paths;
    if (auto root = given(root_option))
        paths.root = *root;
    else if (auto env = given(environment_root))
        paths.root = *env;
    else
        paths.root = default_cluster_root;
    paths.config_dir = given(config_option) ? std::filesystem::path(*config_option) : paths.root / "config";
    return paths;
}

void add_cluster_options(po::options_description& options) {
    options.add_options()                                        //
        ("root", po::value<std::string>()->value_name("DIR"),    //
         "cluster root (default: $LOBOS_ROOT, else /lobos)")     //
        ("config", po::value<std::string>()->value_name("DIR"),  //
         "read nodes, topology and pulse.conf from DIR (default: ROOT/config)");
}

ClusterPaths cluster_paths_from(const po::variables_map& options) {
    auto option = [&](const char* name) -> std::optional<std::string> {
        if (options.count(name)) return options[name].as<std::string>();
        return std::nullopt;
    };
    std::optional<std::string> environment;
    if (const char* env = std::getenv(cluster_root_variable)) environment = env;
    return resolve_cluster_paths(option("root"), option("config"), environment);
}

}  // namespace lobos
