#pragma once
// Every Boost.Graph type the link graph uses, in one place so that no other
// header pulls in Boost.Graph and no vertex descriptor escapes: only
// topology_graph.cpp includes this file, and TopologyGraph's interface speaks
// NodeId and LinkIndex.

// Some Boost.Graph headers use std::pair without including <utility>.
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/visitors.hpp>
#include <boost/pending/queue.hpp>
#include <boost/property_map/property_map.hpp>

#include "config/cluster_config.hpp"

namespace lobos::topology {

// Carried by each edge so that a LinkHealth, which names links by their place
// in ClusterConfig::links, can be applied to the graph.
struct EdgeLink {
    LinkIndex link = 0;
};

// vecS vertices: vertex i is ClusterConfig::nodes[i], so the built-in vertex
// index doubles as the position in the nodes list and no vertex property is
// needed. vecS edges allow parallel links (two hosts may share a direct link
// and a hub), which the topology file permits.
using LinkGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, EdgeLink>;
using Vertex = boost::graph_traits<LinkGraph>::vertex_descriptor;
using Edge = boost::graph_traits<LinkGraph>::edge_descriptor;

// One flag per vertex (or per link): non-zero = down. char rather than bool
// so that the flags are plain addressable bytes.
using DownFlags = std::vector<char>;

// filtered_graph predicates must be default-constructible and cheap to copy,
// hence the pointers; a default-constructed predicate keeps everything.
struct VertexUp {
    const DownFlags* down_vertices = nullptr;

    bool operator()(Vertex v) const { return down_vertices == nullptr || (*down_vertices)[v] == 0; }
};

struct EdgeUp {
    const LinkGraph* graph = nullptr;
    const DownFlags* down_links = nullptr;

    bool operator()(const Edge& e) const {
        return graph == nullptr || down_links == nullptr || (*down_links)[(*graph)[e].link] == 0;
    }
};

// The graph as a LinkHealth sees it. filtered_graph also drops an edge whose
// far end is a hidden vertex, so a down hub cuts every link through it.
using UpGraph = boost::filtered_graph<LinkGraph, EdgeUp, VertexUp>;

// Per-vertex maps over the full vertex set, indexed by the vecS vertex index;
// the filtered graph keeps the underlying index map, so they fit it too.
using VertexIndexMap = boost::property_map<LinkGraph, boost::vertex_index_t>::const_type;
using DistanceMap = boost::iterator_property_map<std::vector<int>::iterator, VertexIndexMap>;
using ComponentMap = boost::iterator_property_map<std::vector<int>::iterator, VertexIndexMap>;
using ColorMap =
    boost::iterator_property_map<std::vector<boost::default_color_type>::iterator, VertexIndexMap>;
// The breadth-first searches' work queue.
using VertexQueue = boost::queue<Vertex>;

}  // namespace lobos::topology
