#include "config/topology_file.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "config/config_lines.hpp"
#include "config/field_reader.hpp"

namespace lobos {
namespace {

const Node* find(const std::vector<Node>& nodes, std::string_view name) {
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const Node& n) { return n.name == name; });
    return it == nodes.end() ? nullptr : &*it;
}

std::pair<std::string, std::string> unordered(const std::string& a, const std::string& b) {
    return a < b ? std::pair{a, b} : std::pair{b, a};
}

}  // namespace

TopologyFile parse_topology(std::string_view text, std::string_view file_name,
                            const std::vector<Node>& nodes) {
    TopologyFile out;
    // Keyed by the two names and the two addresses, either way round.
    std::map<std::pair<std::pair<std::string, std::string>, std::pair<std::string, std::string>>, int> seen;

    for (const ConfigLine& line : config_lines(text)) {
        FieldReader read(file_name, line.number, out.diagnostics);
        const auto& f = line.fields;
        if (f.size() != 4) {
            read.error("fields", std::to_string(f.size()), "expected 4 fields (name1 name2 IP1 IP2)");
            continue;
        }
        bool ok = true;
        for (int i : {2, 3}) {
            const char* field = i == 2 ? "IP1" : "IP2";
            if (f[i] != hub_address && !read.ipv4(field, f[i])) ok = false;
        }
        if (f[0] == f[1]) {
            read.error("name2", f[1], "a link joins two different hosts");
            ok = false;
        }
        if (!ok) continue;

        const Node* a = find(nodes, f[0]);
        const Node* b = find(nodes, f[1]);
        if (!a || !b) {
            // Not an error: real files name hosts that were retired or not yet added.
            read.warning(a ? "name2" : "name1", a ? f[1] : f[0],
                         "no such host in the nodes file; link skipped");
            continue;
        }
        if (a->is_hub() && b->is_hub()) {
            read.error("name2", f[1], "both ends are hubs: a link needs a host at one end to be tested");
            continue;
        }
        Link link{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                  std::string(f[3]), LinkKind::direct,  line.number};
        if (a->is_hub()) {
            std::swap(link.name1, link.name2);
            std::swap(link.ip1, link.ip2);
        }
        if (a->is_hub() || b->is_hub()) {
            link.kind = LinkKind::hub;
        } else {
            // A node end's address is its interface on this link: a real address, never the hub marker.
            for (auto [field, ip] : {std::pair{"IP1", link.ip1}, std::pair{"IP2", link.ip2}}) {
                if (ip == hub_address) {
                    read.error(field, ip, "999.999.999.999 marks a hub, and neither end of this link is one");
                    ok = false;
                }
            }
            if (!ok) continue;
        }
        if (link.kind == LinkKind::hub && link.ip1 == hub_address) {
            read.error(a->is_hub() ? "IP2" : "IP1", link.ip1,
                       "the address of " + link.name1 + " on this link must be a real address");
            continue;
        }
        auto key = std::pair{unordered(link.name1, link.name2), unordered(link.ip1, link.ip2)};
        if (auto [it, fresh] = seen.emplace(key, line.number); !fresh) {
            read.warning("name2", link.name2,
                         "same link as line " + std::to_string(it->second) + "; duplicate skipped");
            continue;
        }
        out.links.push_back(std::move(link));
    }
    return out;
}

std::vector<Link> master_mesh_links(const std::vector<Node>& nodes, const std::vector<Link>& topology_links) {
    std::set<std::pair<std::string, std::string>> joined;
    for (const Link& l : topology_links) joined.insert(unordered(l.name1, l.name2));

    std::vector<const Node*> masters;
    for (const Node& n : nodes)
        if (n.is_master()) masters.push_back(&n);
    std::sort(masters.begin(), masters.end(),
              [](const Node* x, const Node* y) { return x->master_rank() < y->master_rank(); });

    std::vector<Link> mesh;
    for (std::size_t hi = 1; hi < masters.size(); ++hi) {
        for (std::size_t lo = 0; lo < hi; ++lo) {
            const Node& h = *masters[hi];
            const Node& l = *masters[lo];
            if (joined.count(unordered(h.name, l.name))) continue;
            mesh.push_back(Link{h.name, l.name, h.ip, l.ip, LinkKind::master_mesh, 0});
        }
    }
    return mesh;
}

}  // namespace lobos
