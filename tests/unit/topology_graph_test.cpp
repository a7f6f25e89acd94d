#include "config/topology_graph.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "config/cluster_config.hpp"

namespace {

using lobos::ClusterConfig;
using lobos::Link;
using lobos::LinkHealth;
using lobos::LinkIndex;
using lobos::LinkKind;
using lobos::Node;
using lobos::NodeId;
using lobos::TopologyGraph;

// Ids of the sample cluster, named so that expectations read like the nodes file.
constexpr NodeId pe1 = 1, pe2 = 2, pe3 = 3, pe4 = 4;
constexpr NodeId master1 = 65, master2 = 66, master3 = 67, master4 = 68;
constexpr NodeId hub1 = 69, hub2 = 70, gigabit = 71;

Node make_node(NodeId id, std::string ip, std::string name, int type, int cpus) {
    Node node;
    node.id = id;
    node.ip = std::move(ip);
    node.name = std::move(name);
    node.type = type;
    node.cpus = cpus;
    return node;
}

void add_link(ClusterConfig& config, const std::string& name1, const std::string& name2, LinkKind kind) {
    Link link;
    link.name1 = name1;
    link.name2 = name2;
    link.kind = kind;
    config.links.push_back(link);
}

// The LoBoS sample cluster as the parsers would deliver it: the sample
// topology's links to hosts missing from the nodes file are already gone, and
// the master-master links every cluster has come last.
ClusterConfig lobos_sample_cluster() {
    ClusterConfig config;
    for (int i = 1; i <= 4; ++i)
        config.nodes.push_back(
            make_node(i, "165.112.185." + std::to_string(i), "pe" + std::to_string(i), 0, 2));
    for (int i = 1; i <= 4; ++i)
        config.nodes.push_back(
            make_node(64 + i, "165.112.184.1" + std::to_string(i), "master" + std::to_string(i), i, 2));
    const std::string hub_ip(lobos::hub_address);
    config.nodes.push_back(make_node(hub1, hub_ip, "hub1", 0, 0));
    config.nodes.push_back(make_node(hub2, hub_ip, "hub2", 0, 0));
    config.nodes.push_back(make_node(gigabit, hub_ip, "Gigabit", 0, 0));

    for (int i = 1; i <= 4; ++i) add_link(config, "master" + std::to_string(i), "hub1", LinkKind::hub);
    for (int i = 1; i <= 4; ++i) add_link(config, "master" + std::to_string(i), "hub2", LinkKind::hub);
    add_link(config, "pe1", "pe2", LinkKind::direct);
    add_link(config, "pe2", "pe3", LinkKind::direct);
    add_link(config, "pe3", "pe4", LinkKind::direct);
    add_link(config, "pe1", "hub1", LinkKind::hub);
    add_link(config, "pe3", "hub1", LinkKind::hub);
    add_link(config, "pe2", "hub2", LinkKind::hub);
    add_link(config, "pe4", "hub2", LinkKind::hub);
    for (int i = 1; i <= 4; ++i)
        for (int j = i + 1; j <= 4; ++j)
            add_link(config, "master" + std::to_string(i), "master" + std::to_string(j),
                     LinkKind::master_mesh);
    return config;
}

// The position of the link between two hosts, whichever way round it was written.
LinkIndex link_between(const ClusterConfig& config, const std::string& a, const std::string& b) {
    for (std::size_t i = 0; i < config.links.size(); ++i) {
        const Link& link = config.links[i];
        if ((link.name1 == a && link.name2 == b) || (link.name1 == b && link.name2 == a))
            return static_cast<LinkIndex>(i);
    }
    throw std::logic_error("no link between " + a + " and " + b);
}

std::vector<NodeId> all_ids(const ClusterConfig& config) {
    std::vector<NodeId> ids;
    for (const Node& node : config.nodes) ids.push_back(node.id);
    return ids;
}

// A plain breadth-first search over the configuration itself, written without
// Boost so that it can check TopologyGraph: hop counts from `from` keyed by
// node id, absent where unreachable.
std::map<NodeId, int> reference_hops(const ClusterConfig& config, NodeId from, const LinkHealth& health) {
    std::map<NodeId, int> distance;
    const Node* start = config.find_node(from);
    if (start == nullptr || health.down_nodes.count(from) != 0) return distance;
    distance[from] = 0;
    std::deque<NodeId> queue{from};
    while (!queue.empty()) {
        const NodeId here = queue.front();
        queue.pop_front();
        const std::string& here_name = config.find_node(here)->name;
        for (std::size_t i = 0; i < config.links.size(); ++i) {
            if (health.down_links.count(static_cast<LinkIndex>(i)) != 0) continue;
            const Link& link = config.links[i];
            const std::string* there_name = nullptr;
            if (link.name1 == here_name)
                there_name = &link.name2;
            else if (link.name2 == here_name)
                there_name = &link.name1;
            if (there_name == nullptr) continue;
            const Node* there = config.find_node(*there_name);
            if (there == nullptr || health.down_nodes.count(there->id) != 0) continue;
            if (distance.count(there->id) != 0) continue;
            distance[there->id] = distance[here] + 1;
            queue.push_back(there->id);
        }
    }
    return distance;
}

std::optional<int> reference_hops(const ClusterConfig& config, NodeId a, NodeId b, const LinkHealth& health) {
    if (config.find_node(b) == nullptr || health.down_nodes.count(b) != 0) return std::nullopt;
    const auto distance = reference_hops(config, a, health);
    auto it = distance.find(b);
    if (it == distance.end()) return std::nullopt;
    return it->second;
}

std::vector<NodeId> reference_reachable_compute_nodes(const ClusterConfig& config, const LinkHealth& health) {
    std::set<NodeId> reached;
    for (const Node& node : config.nodes) {
        if (!node.is_master()) continue;
        for (const auto& [id, hops] : reference_hops(config, node.id, health))
            if (config.find_node(id)->is_compute()) reached.insert(id);
    }
    return {reached.begin(), reached.end()};
}

std::vector<std::vector<NodeId>> reference_groups(const ClusterConfig& config, const LinkHealth& health) {
    std::set<std::vector<NodeId>> groups;  // a set of sorted vectors is sorted by smallest id first
    for (const Node& node : config.nodes) {
        std::vector<NodeId> group;
        for (const auto& [id, hops] : reference_hops(config, node.id, health)) group.push_back(id);
        if (!group.empty()) groups.insert(group);
    }
    return {groups.begin(), groups.end()};
}

}  // namespace

TEST_CASE("pe1 and pe2 are one hop apart over their direct link") {
    const TopologyGraph graph(lobos_sample_cluster());
    CHECK(graph.hops(pe1, pe2, {}) == 1);
    CHECK(graph.hops(pe2, pe1, {}) == 1);
}

TEST_CASE("pe1 and pe3 are two hops apart through pe2 or hub1") {
    const ClusterConfig config = lobos_sample_cluster();
    const TopologyGraph graph(config);
    CHECK(graph.hops(pe1, pe3, {}) == 2);

    SUBCASE("cutting pe2 leaves the route through hub1") {
        CHECK(graph.hops(pe1, pe3, LinkHealth{{pe2}, {}}) == 2);
    }
    SUBCASE("taking hub1 down leaves the route through pe2") {
        CHECK(graph.hops(pe1, pe3, LinkHealth{{hub1}, {}}) == 2);
    }
    SUBCASE("with both routes gone pe1 goes the long way round, back through hub1 via the masters") {
        const LinkHealth health{{},
                                {link_between(config, "pe1", "pe2"), link_between(config, "pe3", "hub1")}};
        // pe1-hub1-master-hub2-pe4-pe3, or pe1-hub1-master-hub2-pe2-pe3
        CHECK(graph.hops(pe1, pe3, health) == 5);
    }
}

TEST_CASE("a hub counts as a hop: pe4 reaches master1 in two hops through hub2") {
    const TopologyGraph graph(lobos_sample_cluster());
    CHECK(graph.hops(pe4, master1, {}) == 2);
    CHECK(graph.hops(pe4, hub2, {}) == 1);
    CHECK(graph.hops(master1, master4, {}) == 1);
}

TEST_CASE("a vertex is zero hops from itself while it is up") {
    const TopologyGraph graph(lobos_sample_cluster());
    CHECK(graph.hops(pe1, pe1, {}) == 0);
    CHECK(graph.hops(gigabit, gigabit, {}) == 0);
    CHECK(graph.hops(pe1, pe1, LinkHealth{{pe1}, {}}) == std::nullopt);
}

TEST_CASE("hops with a down, unknown or unreachable end is nullopt") {
    const TopologyGraph graph(lobos_sample_cluster());
    const LinkHealth pe3_down{{pe3}, {}};
    CHECK(graph.hops(pe1, pe3, pe3_down) == std::nullopt);
    CHECK(graph.hops(pe3, pe1, pe3_down) == std::nullopt);
    CHECK(graph.hops(pe1, 999, {}) == std::nullopt);
    CHECK(graph.hops(999, pe1, {}) == std::nullopt);
    CHECK(graph.hops(pe1, gigabit, {}) == std::nullopt);
}

TEST_CASE("every compute node is reachable from a master when nothing is down") {
    const TopologyGraph graph(lobos_sample_cluster());
    CHECK(graph.reachable_compute_nodes({}) == std::vector<NodeId>{pe1, pe2, pe3, pe4});
}

TEST_CASE("cutting all of pe2's links leaves pe1, pe3 and pe4 reachable from a master but not pe2") {
    const ClusterConfig config = lobos_sample_cluster();
    const TopologyGraph graph(config);
    const LinkHealth health{{},
                            {link_between(config, "pe1", "pe2"), link_between(config, "pe2", "pe3"),
                             link_between(config, "pe2", "hub2")}};
    CHECK(graph.reachable_compute_nodes(health) == std::vector<NodeId>{pe1, pe3, pe4});
    CHECK(graph.reachable_from(pe2, health) == std::vector<NodeId>{pe2});
    CHECK(graph.hops(pe1, pe3, health) == 2);  // through hub1
}

TEST_CASE("with hub1 down and the pe1-pe2 link cut only pe1 is unreachable") {
    const ClusterConfig config = lobos_sample_cluster();
    const TopologyGraph graph(config);
    const LinkHealth health{{hub1}, {link_between(config, "pe1", "pe2")}};
    // pe2 and pe4 hang off hub2; pe3 lost hub1 but still has pe2-pe3 and pe3-pe4.
    CHECK(graph.reachable_compute_nodes(health) == std::vector<NodeId>{pe2, pe3, pe4});
    CHECK(graph.reachable_from(pe1, health) == std::vector<NodeId>{pe1});
    CHECK(graph.hops(pe3, master2, health) == 3);
}

TEST_CASE("a down master is not a source: with every master down no compute node is reachable") {
    const TopologyGraph graph(lobos_sample_cluster());
    const LinkHealth health{{master1, master2, master3, master4}, {}};
    CHECK(graph.reachable_compute_nodes(health).empty());
    // The compute nodes still reach each other; only the masters are missing.
    CHECK(graph.hops(pe1, pe4, health) == 3);
}

TEST_CASE("one up master is enough to reach every compute node") {
    const TopologyGraph graph(lobos_sample_cluster());
    const LinkHealth health{{master1, master2, master3}, {}};
    CHECK(graph.reachable_compute_nodes(health) == std::vector<NodeId>{pe1, pe2, pe3, pe4});
}

TEST_CASE("a compute node reachable only through a down master is not reachable") {
    // master1 and master2 share a hub; pe1 hangs off master1 directly.
    ClusterConfig config;
    config.nodes.push_back(make_node(1, "10.0.0.1", "pe1", 0, 2));
    config.nodes.push_back(make_node(65, "10.0.0.65", "master1", 1, 2));
    config.nodes.push_back(make_node(66, "10.0.0.66", "master2", 2, 2));
    add_link(config, "pe1", "master1", LinkKind::direct);
    add_link(config, "master1", "master2", LinkKind::master_mesh);
    const TopologyGraph graph(config);
    CHECK(graph.reachable_compute_nodes({}) == std::vector<NodeId>{1});
    CHECK(graph.reachable_compute_nodes(LinkHealth{{65}, {}}).empty());
    CHECK(graph.reachable_compute_nodes(LinkHealth{{66}, {}}) == std::vector<NodeId>{1});
}

TEST_CASE("the Gigabit hub, having no links, is a group of its own") {
    const TopologyGraph graph(lobos_sample_cluster());
    const std::vector<std::vector<NodeId>> expected{
        {pe1, pe2, pe3, pe4, master1, master2, master3, master4, hub1, hub2}, {gigabit}};
    CHECK(graph.connected_groups({}) == expected);
}

TEST_CASE("cutting pe2 off splits it into its own group and leaves out down vertices") {
    const ClusterConfig config = lobos_sample_cluster();
    const TopologyGraph graph(config);
    const LinkHealth health{{master3},
                            {link_between(config, "pe1", "pe2"), link_between(config, "pe2", "pe3"),
                             link_between(config, "pe2", "hub2")}};
    const std::vector<std::vector<NodeId>> expected{
        {pe1, pe3, pe4, master1, master2, master4, hub1, hub2}, {pe2}, {gigabit}};
    CHECK(graph.connected_groups(health) == expected);
}

TEST_CASE("with both hubs down the masters keep their mesh and the compute nodes form a chain") {
    const TopologyGraph graph(lobos_sample_cluster());
    const LinkHealth health{{hub1, hub2}, {}};
    const std::vector<std::vector<NodeId>> expected{
        {pe1, pe2, pe3, pe4}, {master1, master2, master3, master4}, {gigabit}};
    CHECK(graph.connected_groups(health) == expected);
    CHECK(graph.reachable_compute_nodes(health).empty());
    CHECK(graph.hops(pe1, pe4, health) == 3);
}

TEST_CASE("reachable_from includes the vertex itself and is empty for a down or unknown vertex") {
    const TopologyGraph graph(lobos_sample_cluster());
    CHECK(graph.reachable_from(gigabit, {}) == std::vector<NodeId>{gigabit});
    CHECK(graph.reachable_from(pe1, {}).size() == 10);
    CHECK(graph.reachable_from(pe1, LinkHealth{{pe1}, {}}).empty());
    CHECK(graph.reachable_from(999, {}).empty());
}

TEST_CASE("hops_from matches hops for every pair of vertices") {
    const ClusterConfig config = lobos_sample_cluster();
    const TopologyGraph graph(config);
    const std::vector<LinkHealth> healths{
        {},
        {{hub1}, {link_between(config, "pe1", "pe2")}},
        {{pe2, master1}, {link_between(config, "pe3", "pe4")}},
        {{hub1, hub2}, {}},
    };
    for (const LinkHealth& health : healths) {
        for (NodeId from : all_ids(config)) {
            const auto distances = graph.hops_from(from, health);
            REQUIRE(distances.size() == config.nodes.size());
            for (std::size_t i = 0; i < config.nodes.size(); ++i)
                CHECK(distances[i] == graph.hops(from, config.nodes[i].id, health));
        }
    }
    CHECK(graph.hops_from(999, {}) == std::vector<std::optional<int>>(config.nodes.size()));
}

TEST_CASE("links to hosts missing from the nodes list are skipped, and unknown ids in a health are ignored") {
    ClusterConfig config = lobos_sample_cluster();
    add_link(config, "pe1", "pe37", LinkKind::direct);
    add_link(config, "pe5", "hub1", LinkKind::hub);
    add_link(config, "pe1", "pe4", LinkKind::direct);  // after the skipped ones: its index must still count
    const LinkIndex pe1_pe4 = static_cast<LinkIndex>(config.links.size()) - 1;
    const TopologyGraph graph(config);
    CHECK(graph.hops(pe1, pe4, {}) == 1);
    CHECK(graph.hops(pe1, pe4, LinkHealth{{}, {pe1_pe4}}) == 3);
    CHECK(graph.hops(pe1, pe4, LinkHealth{{999}, {-1, 5000}}) == 1);
}

TEST_CASE("a moved graph answers as the original did") {
    TopologyGraph original(lobos_sample_cluster());
    TopologyGraph moved(std::move(original));
    CHECK(moved.hops(pe1, pe3, {}) == 2);
    TopologyGraph assigned(ClusterConfig{});
    assigned = std::move(moved);
    CHECK(assigned.hops(pe1, pe3, {}) == 2);
}

TEST_CASE(
    "hops, reachable compute nodes and groups agree with a plain breadth-first search on random graphs") {
    std::mt19937 random(12345);
    auto uniform = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
    const std::string hub_ip(lobos::hub_address);

    for (int round = 0; round < 200; ++round) {
        CAPTURE(round);
        ClusterConfig config;
        const int vertex_count = uniform(3, 9);
        // Ids out of file order, so that sorting by id is put to the test.
        std::vector<NodeId> ids;
        for (int i = 0; i < vertex_count; ++i) ids.push_back(10 + i * 3);
        std::shuffle(ids.begin(), ids.end(), random);
        int next_rank = 1;
        for (int i = 0; i < vertex_count; ++i) {
            const std::string name = "v" + std::to_string(ids[i]);
            switch (uniform(0, 5)) {
                case 0:
                    config.nodes.push_back(
                        make_node(ids[i], "10.0.1." + std::to_string(i), name, next_rank++, 2));
                    break;
                case 1:
                    config.nodes.push_back(make_node(ids[i], hub_ip, name, 0, 0));
                    break;
                default:
                    config.nodes.push_back(make_node(ids[i], "10.0.0." + std::to_string(i), name, 0, 2));
            }
        }
        // Between no links and about twice as many as vertices; repeats and
        // self-loops are allowed, and now and then a link to an unknown host.
        const int link_count = uniform(0, 2 * vertex_count);
        for (int l = 0; l < link_count; ++l) {
            const std::string a = config.nodes[uniform(0, vertex_count - 1)].name;
            const std::string b =
                uniform(0, 9) == 0 ? std::string("ghost") : config.nodes[uniform(0, vertex_count - 1)].name;
            add_link(config, a, b, uniform(0, 1) == 0 ? LinkKind::direct : LinkKind::hub);
        }
        LinkHealth health;
        for (const Node& node : config.nodes)
            if (uniform(0, 4) == 0) health.down_nodes.insert(node.id);
        for (int l = 0; l < link_count; ++l)
            if (uniform(0, 3) == 0) health.down_links.insert(l);

        const TopologyGraph graph(config);
        for (NodeId a : ids) {
            for (NodeId b : ids) {
                CAPTURE(a);
                CAPTURE(b);
                CHECK(graph.hops(a, b, health) == reference_hops(config, a, b, health));
            }
            std::vector<NodeId> reached;
            for (const auto& [id, hops] : reference_hops(config, a, health)) reached.push_back(id);
            CHECK(graph.reachable_from(a, health) == reached);
        }
        CHECK(graph.reachable_compute_nodes(health) == reference_reachable_compute_nodes(config, health));
        CHECK(graph.connected_groups(health) == reference_groups(config, health));
    }
}
