#include "lobosq/job/job_environment.hpp"

#include <map>

#include "share/formats/cpu_numbering.hpp"

namespace lobos {
namespace {

bool passable_name(const std::string& name) {
    return !name.empty() && name.find('=') == std::string::npos && name.find('\0') == std::string::npos;
}

std::string join(const std::vector<std::string>& items, char separator) {
    std::string joined;
    for (const std::string& item : items) {
        if (!joined.empty()) joined += separator;
        joined += item;
    }
    return joined;
}

}  // namespace

std::vector<std::string> job_environment(const StartOrder& order, const JobUser& user,
                                         const std::string& nodefile_path) {
    std::map<std::string, std::string> variables;
    for (const auto& [name, value] : order.spec.environment) {
        // A NUL would cut the value short at exec; better to leave it out than pass a different value.
        if (passable_name(name) && value.find('\0') == std::string::npos) variables[name] = value;
    }
    if (!variables.count("PATH")) variables["PATH"] = default_job_path;
    variables["USER"] = user.name;
    variables["LOGNAME"] = user.name;
    variables["HOME"] = user.home;
    variables["SHELL"] = user.shell;
    variables["LOBOS_JOBID"] = order.spec.id;
    variables["LOBOS_NPROCS"] = std::to_string(order.placement.cpus.size());
    variables["LOBOS_TPIP"] = std::to_string(order.spec.directives.tpip);
    variables["LOBOS_CPUS"] = format_cpu_list(order.placement.cpus);
    variables["LOBOS_NODES"] = join(order.placement.distinct_nodes(), ',');
    variables["LOBOS_NODEFILE"] = nodefile_path;

    std::vector<std::string> environment;
    environment.reserve(variables.size());
    for (const auto& [name, value] : variables) environment.push_back(name + "=" + value);
    return environment;
}

std::string nodefile_contents(const Placement& placement) {
    std::string text;
    for (const std::string& node : placement.nodes) text += node + "\n";
    return text;
}

std::optional<std::string> shared_nodefile_name(const Placement& placement) {
    // Well under NAME_MAX (255), with room for an atomic write's temporary name.
    constexpr std::size_t longest = 200;
    std::string name = "hosts-" + join(placement.nodes, ',');
    if (placement.nodes.empty() || name.size() > longest) return std::nullopt;
    for (const std::string& node : placement.nodes)
        if (node.empty() || node.find_first_of(",/") != std::string::npos) return std::nullopt;
    return name;
}

}  // namespace lobos
