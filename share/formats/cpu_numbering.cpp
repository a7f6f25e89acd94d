#include "share/formats/cpu_numbering.hpp"

#include <algorithm>
#include <charconv>

namespace lobos {

std::vector<CpuSlot> number_cpus(const ClusterConfig& config) {
    std::vector<CpuSlot> slots;
    slots.reserve(static_cast<std::size_t>(std::max(config.compute_cpus(), 0)));
    int number = 0;
    for (const Node& node : config.nodes) {
        if (!node.is_compute()) continue;
        for (int index = 0; index < node.cpus; ++index) slots.push_back(CpuSlot{++number, node.name, index});
    }
    return slots;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
    std::string out;
    for (int cpu : cpus) {
        if (!out.empty()) out += ',';
        out += std::to_string(cpu);
    }
    return out;
}

std::optional<std::vector<int>> parse_cluster_cpu_list(std::string_view text) {
    std::vector<int> cpus;
    if (text.empty()) return cpus;  // what format_cpu_list makes of no CPUs
    while (true) {
        const std::size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        int cpu = 0;
        const char* last = item.data() + item.size();
        // Digits only: from_chars takes no '+' or spaces, and a '-' fails the check below.
        auto [end, ec] = std::from_chars(item.data(), last, cpu);
        if (item.empty() || ec != std::errc() || end != last || cpu < 1) return std::nullopt;
        cpus.push_back(cpu);
        if (comma == std::string_view::npos) return cpus;
        text.remove_prefix(comma + 1);
    }
}

}  // namespace lobos
