#include "config/topology_graph.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <unordered_map>
#include <utility>

#include "config/topology_graph_types.hpp"

namespace lobos {

namespace {

using topology::Vertex;

// A breadth-first search that has not reached a vertex leaves this distance.
constexpr int unreached = -1;

}  // namespace

struct TopologyGraph::Impl {
    topology::LinkGraph graph;
    std::vector<NodeId> ids;  // ids[v] is the id of vertex v, i.e. of ClusterConfig::nodes[v]
    std::unordered_map<NodeId, Vertex> vertex_of_id;
    std::vector<Vertex> masters;
    std::vector<char> compute;  // compute[v] != 0: vertex v is a compute node
    std::size_t link_count = 0;

    explicit Impl(const ClusterConfig& config);

    std::optional<Vertex> find(NodeId id) const {
        auto it = vertex_of_id.find(id);
        if (it == vertex_of_id.end()) return std::nullopt;
        return it->second;
    }

    // The graph as seen under one LinkHealth. It owns the down flags its
    // filter points to, so it is built in place and never copied or moved.
    struct UpView {
        topology::DownFlags down_vertices;
        topology::DownFlags down_links;
        topology::UpGraph graph;

        UpView(const Impl& impl, const LinkHealth& health)
            : down_vertices(impl.ids.size(), 0),
              down_links(impl.link_count, 0),
              graph(impl.graph, topology::EdgeUp{&impl.graph, &down_links},
                    topology::VertexUp{&down_vertices}) {
            // Ids and link indices that name nothing are ignored: a health
            // report may mention a host the configuration no longer has.
            for (NodeId id : health.down_nodes)
                if (auto v = impl.find(id)) down_vertices[*v] = 1;
            for (LinkIndex link : health.down_links)
                if (link >= 0 && static_cast<std::size_t>(link) < down_links.size()) down_links[link] = 1;
        }
        UpView(const UpView&) = delete;
        UpView& operator=(const UpView&) = delete;

        bool up(Vertex v) const { return down_vertices[v] == 0; }
    };

    // Hop counts from the nearest of `sources` (all up) to every vertex,
    // `unreached` where there is no up path.
    template <class SourceRange>
    std::vector<int> distances(const UpView& view, const SourceRange& sources) const;

    std::optional<Vertex> up_vertex(NodeId id, const UpView& view) const {
        auto v = find(id);
        if (!v || !view.up(*v)) return std::nullopt;
        return v;
    }
};

TopologyGraph::Impl::Impl(const ClusterConfig& config)
    : graph(config.nodes.size()), link_count(config.links.size()) {
    std::unordered_map<std::string, Vertex> vertex_of_name;
    ids.reserve(config.nodes.size());
    compute.reserve(config.nodes.size());
    for (Vertex v = 0; v < config.nodes.size(); ++v) {
        const Node& node = config.nodes[v];
        ids.push_back(node.id);
        compute.push_back(node.is_compute() ? 1 : 0);
        if (node.is_master()) masters.push_back(v);
        // The parser refuses duplicate ids and names; should one slip
        // through, the first definition wins, as in ClusterConfig::find_node.
        vertex_of_id.try_emplace(node.id, v);
        vertex_of_name.try_emplace(node.name, v);
    }
    for (std::size_t i = 0; i < config.links.size(); ++i) {
        const Link& link = config.links[i];
        auto end1 = vertex_of_name.find(link.name1);
        auto end2 = vertex_of_name.find(link.name2);
        // The parser drops links to unknown hosts; a hand-built config may not.
        if (end1 == vertex_of_name.end() || end2 == vertex_of_name.end()) continue;
        boost::add_edge(end1->second, end2->second, topology::EdgeLink{static_cast<LinkIndex>(i)}, graph);
    }
}

template <class SourceRange>
std::vector<int> TopologyGraph::Impl::distances(const UpView& view, const SourceRange& sources) const {
    const auto index = boost::get(boost::vertex_index, graph);
    std::vector<int> distance(ids.size(), unreached);
    std::vector<boost::default_color_type> colors(ids.size());
    for (Vertex source : sources) distance[source] = 0;
    topology::DistanceMap distance_map(distance.begin(), index);
    topology::ColorMap color_map(colors.begin(), index);
    topology::VertexQueue queue;
    // record_distances on tree edges gives each vertex its parent's distance
    // plus one, which is the hop count from the nearest source.
    auto visitor = boost::make_bfs_visitor(boost::record_distances(distance_map, boost::on_tree_edge()));
    boost::breadth_first_search(view.graph, std::begin(sources), std::end(sources), queue, visitor,
                                color_map);
    return distance;
}

TopologyGraph::TopologyGraph(const ClusterConfig& config) : impl_(std::make_unique<Impl>(config)) {}
TopologyGraph::~TopologyGraph() = default;
TopologyGraph::TopologyGraph(TopologyGraph&&) noexcept = default;
TopologyGraph& TopologyGraph::operator=(TopologyGraph&&) noexcept = default;

std::vector<NodeId> TopologyGraph::reachable_compute_nodes(const LinkHealth& health) const {
    const Impl::UpView view(*impl_, health);
    // A down master cannot hand out work, so it is no starting point; one
    // search from all up masters at once finds everything any of them reaches.
    std::vector<Vertex> sources;
    for (Vertex master : impl_->masters)
        if (view.up(master)) sources.push_back(master);
    const std::vector<int> distance = impl_->distances(view, sources);
    std::vector<NodeId> reachable;
    for (Vertex v = 0; v < distance.size(); ++v)
        if (distance[v] != unreached && impl_->compute[v] != 0) reachable.push_back(impl_->ids[v]);
    std::sort(reachable.begin(), reachable.end());
    return reachable;
}

std::vector<NodeId> TopologyGraph::reachable_from(NodeId from, const LinkHealth& health) const {
    const Impl::UpView view(*impl_, health);
    auto source = impl_->up_vertex(from, view);
    if (!source) return {};
    const Vertex sources[] = {*source};
    const std::vector<int> distance = impl_->distances(view, sources);
    std::vector<NodeId> reachable;
    for (Vertex v = 0; v < distance.size(); ++v)
        if (distance[v] != unreached) reachable.push_back(impl_->ids[v]);
    std::sort(reachable.begin(), reachable.end());
    return reachable;
}

std::optional<int> TopologyGraph::hops(NodeId a, NodeId b, const LinkHealth& health) const {
    const Impl::UpView view(*impl_, health);
    auto from = impl_->up_vertex(a, view);
    auto to = impl_->up_vertex(b, view);
    if (!from || !to) return std::nullopt;
    const Vertex sources[] = {*from};
    const std::vector<int> distance = impl_->distances(view, sources);
    if (distance[*to] == unreached) return std::nullopt;
    return distance[*to];
}

std::vector<std::optional<int>> TopologyGraph::hops_from(NodeId from, const LinkHealth& health) const {
    std::vector<std::optional<int>> result(impl_->ids.size());
    const Impl::UpView view(*impl_, health);
    auto source = impl_->up_vertex(from, view);
    if (!source) return result;
    const Vertex sources[] = {*source};
    const std::vector<int> distance = impl_->distances(view, sources);
    for (Vertex v = 0; v < distance.size(); ++v)
        if (distance[v] != unreached) result[v] = distance[v];
    return result;
}

std::vector<std::vector<NodeId>> TopologyGraph::connected_groups(const LinkHealth& health) const {
    const Impl::UpView view(*impl_, health);
    const auto index = boost::get(boost::vertex_index, impl_->graph);
    // Sized for every vertex because the maps are indexed by the full graph's
    // vertex index; down vertices are never visited and keep no component.
    std::vector<int> component(impl_->ids.size(), unreached);
    std::vector<boost::default_color_type> colors(impl_->ids.size());
    const int count =
        boost::connected_components(view.graph, topology::ComponentMap(component.begin(), index),
                                    boost::color_map(topology::ColorMap(colors.begin(), index)));
    std::vector<std::vector<NodeId>> groups(static_cast<std::size_t>(count));
    for (Vertex v = 0; v < component.size(); ++v)
        if (view.up(v)) groups[static_cast<std::size_t>(component[v])].push_back(impl_->ids[v]);
    for (auto& group : groups) std::sort(group.begin(), group.end());
    // No group is empty: each component number was given to some up vertex.
    std::sort(groups.begin(), groups.end(),
              [](const auto& x, const auto& y) { return x.front() < y.front(); });
    return groups;
}

}  // namespace lobos
