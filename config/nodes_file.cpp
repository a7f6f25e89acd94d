#include "config/nodes_file.hpp"

#include <algorithm>
#include <map>

#include "config/config_lines.hpp"
#include "config/field_reader.hpp"

namespace lobos {
namespace {

constexpr std::size_t field_count = 15;
constexpr const char* field_names[field_count] = {"id",      "ip",    "name",  "type", "CPUs",
                                                  "CPUtype", "clock", "speed", "RAM",  "swap",
                                                  "links",   "lx",    "ly",    "px",   "py"};
constexpr int max_small = 1'000'000;        // CPUs, links, ranks: far beyond any cluster
constexpr long long max_large = 1LL << 40;  // MHz, MB

bool valid_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

// Names end up in status files, file names and web pages: keep them to
// characters that are safe in all three.
bool valid_name(std::string_view name) {
    for (char c : name)
        if (!valid_name_char(c)) return false;
    return !name.empty();
}

std::string fields_list() {
    std::string out;
    for (const char* f : field_names) out += out.empty() ? f : std::string(" ") + f;
    return out;
}

}  // namespace

NodesFile parse_nodes(std::string_view text, std::string_view file_name) {
    NodesFile out;
    std::map<long long, int> line_of_id;
    std::map<std::string, int, std::less<>> line_of_name;
    std::map<std::string, int, std::less<>> line_of_ip;
    std::map<int, int> line_of_rank;

    for (const ConfigLine& line : config_lines(text)) {
        FieldReader read(file_name, line.number, out.diagnostics);
        const auto& f = line.fields;
        if (f.size() != field_count) {
            read.error("fields", std::to_string(f.size()),
                       "expected " + std::to_string(field_count) + " fields (" + fields_list() + ")");
            continue;
        }
        const std::size_t errors_before = out.diagnostics.size();
        Node node;
        node.line = line.number;

        if (auto v = read.integer("id", f[0], 0, max_small)) node.id = static_cast<NodeId>(*v);
        node.ip = std::string(f[1]);
        if (node.ip != hub_address) read.ipv4("ip", f[1]);
        node.name = std::string(f[2]);
        if (!valid_name(f[2])) read.error("name", f[2], "a name uses only letters, digits, '-', '_' and '.'");
        if (auto v = read.integer("type", f[3], 0, max_small)) node.type = static_cast<int>(*v);
        if (auto v = read.integer("CPUs", f[4], 0, max_small)) node.cpus = static_cast<int>(*v);
        if (auto v = read.integer("CPUtype", f[5], 0, max_small)) node.cpu_type = static_cast<int>(*v);
        if (auto v = read.integer("clock", f[6], 0, max_large)) node.clock_mhz = static_cast<int>(*v);
        if (auto v = read.real("speed", f[7], 0, 1e6)) node.speed = *v;
        if (auto v = read.integer("RAM", f[8], 0, max_large)) node.ram_mb = static_cast<int>(*v);
        if (auto v = read.integer("swap", f[9], 0, max_large)) node.swap_mb = static_cast<int>(*v);
        if (auto v = read.integer("links", f[10], 0, max_small)) node.links = static_cast<int>(*v);
        if (auto v = read.real("lx", f[11], 0, 1)) node.logical.x = *v;
        if (auto v = read.real("ly", f[12], 0, 1)) node.logical.y = *v;
        if (auto v = read.real("px", f[13], 0, 1)) node.physical.x = *v;
        if (auto v = read.real("py", f[14], 0, 1)) node.physical.y = *v;
        if (out.diagnostics.size() != errors_before) continue;

        // Whole-line rules, checked once every field is sound.
        if (node.is_hub()) {
            if (node.cpus != 0)
                read.error("CPUs", f[4], "a hub (address 999.999.999.999) has 0 CPUs: it never runs work");
            if (node.type != 0)
                read.error("type", f[3], "a hub (address 999.999.999.999) cannot be a master (type 0)");
        } else if (node.is_compute() && node.cpus == 0) {
            read.warning("CPUs", f[4], "compute node " + node.name + " has no CPUs: no job will run there");
        }
        if (!node.is_hub() && node.speed == 0 && node.cpus > 0)
            read.error("speed", f[7], "a node with CPUs needs a speed above 0 (1.0 = reference)");

        auto first_use = [&](auto& seen, const auto& key, std::string_view field, std::string_view value,
                             std::string_view what) {
            auto [it, fresh] = seen.emplace(key, line.number);
            if (!fresh)
                read.error(
                    field, value,
                    "duplicate " + std::string(what) + ", first used on line " + std::to_string(it->second));
        };
        first_use(line_of_id, node.id, "id", f[0], "id");
        first_use(line_of_name, node.name, "name", f[2], "name");
        if (!node.is_hub()) first_use(line_of_ip, node.ip, "ip", f[1], "address");
        if (node.is_master()) first_use(line_of_rank, node.type, "type", f[3], "master rank");

        const bool line_ok =
            std::none_of(out.diagnostics.begin() + static_cast<long>(errors_before), out.diagnostics.end(),
                         [](const Diagnostic& d) { return d.severity == Severity::error; });
        if (line_ok) out.nodes.push_back(std::move(node));
    }

    if (out.nodes.empty() && !has_errors(out.diagnostics)) {
        out.diagnostics.push_back(
            {Severity::error, std::string(file_name), 0, "", "", "no hosts: the file lists no node"});
    } else if (line_of_rank.empty() && !has_errors(out.diagnostics)) {
        out.diagnostics.push_back({Severity::error, std::string(file_name), 0, "type", "",
                                   "no master: give at least one host a non-zero type (its rank)"});
    }
    return out;
}

}  // namespace lobos
