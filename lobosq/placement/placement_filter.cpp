#include "lobosq/placement/placement_filter.hpp"

#include <algorithm>

namespace lobos {

std::optional<FeasibleOffer> feasible_offer(const PlacementRequest& request, const CpuAvailability& available,
                                            const ClusterSnapshot& snapshot, const HealthyCpus& healthy) {
    if (request.nprocs_low < 1 || request.nprocs_high < request.nprocs_low || request.tpip < 1)
        return std::nullopt;
    std::vector<NodeOffer> nodes;
    for (std::size_t n = 0; n < snapshot.compute.size(); ++n) {
        const ComputeNodeView& node = snapshot.compute[n];
        if (!available.up_nodes.contains(node.name())) continue;
        NodeOffer offer{static_cast<int>(n), {}, false};
        for (int i = 0; i < node.cpu_count(); ++i) {
            const int number = node.first_cpu + i;
            const auto at = static_cast<std::size_t>(number - 1);
            if (healthy[number] && at < available.free.size() && available.free[at])
                offer.cpus.push_back(number);
        }
        if (!offer.cpus.empty()) nodes.push_back(std::move(offer));
    }

    // As many as the shape allows: TPIP on every node with that many, plus
    // the most a node short of TPIP can add as the one taking fewer.
    const int tpip = request.tpip;
    int full = 0;
    int best_short = 0;
    for (const NodeOffer& node : nodes) {
        const int count = static_cast<int>(node.cpus.size());
        if (count >= tpip)
            ++full;
        else
            best_short = std::max(best_short, count);
    }
    const long capacity = static_cast<long>(full) * tpip + best_short;
    PlacementShape shape;
    shape.cpus = static_cast<int>(std::min<long>(request.nprocs_high, capacity));
    if (shape.cpus < request.nprocs_low) return std::nullopt;
    shape.tpip = tpip;
    shape.nodes = (shape.cpus + tpip - 1) / tpip;
    shape.last_take = shape.cpus - tpip * (shape.nodes - 1);
    shape.nproc0 = request.nproc0;

    FeasibleOffer result;
    for (NodeOffer& node : nodes) {
        const int count = static_cast<int>(node.cpus.size());
        if (count < shape.last_take) continue;
        node.short_of_tpip = count < tpip && count < shape.cpus;
        result.offers.push_back(std::move(node));
    }
    if (request.nproc0) {
        for (std::size_t i = 0; i < result.offers.size(); ++i) {
            const std::vector<int>& cpus = result.offers[i].cpus;
            if (std::find(cpus.begin(), cpus.end(), *request.nproc0) != cpus.end())
                shape.node0 = static_cast<int>(i);
        }
        // NODE0 takes its full share: TPIP CPUs, or all when the job is smaller.
        if (!shape.node0 ||
            static_cast<int>(result.offers[static_cast<std::size_t>(*shape.node0)].cpus.size()) <
                std::min(tpip, shape.cpus))
            return std::nullopt;
    }
    result.shape = shape;
    return result;
}

bool allowed_set(const FeasibleOffer& offer, const std::vector<int>& chosen) {
    if (static_cast<int>(chosen.size()) != offer.shape.nodes) return false;
    std::vector<int> sorted = chosen;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;
    if (offer.shape.node0 && !std::binary_search(sorted.begin(), sorted.end(), *offer.shape.node0))
        return false;
    int short_nodes = 0;
    for (int i : sorted) {
        if (i < 0 || static_cast<std::size_t>(i) >= offer.offers.size()) return false;
        if (offer.offers[static_cast<std::size_t>(i)].short_of_tpip) ++short_nodes;
    }
    return short_nodes <= 1;
}

Placement placement_of(const FeasibleOffer& offer, const ClusterSnapshot& snapshot, std::vector<int> chosen) {
    const PlacementShape& shape = offer.shape;
    std::sort(chosen.begin(), chosen.end());
    // NODE0: NPROC0's node, else the lowest-numbered one that is not short.
    int node0 = -1;
    if (shape.node0) {
        node0 = *shape.node0;
    } else {
        for (int i : chosen)
            if (!offer.offers[static_cast<std::size_t>(i)].short_of_tpip) {
                node0 = i;
                break;
            }
        if (node0 < 0) node0 = chosen.front();
    }
    int fewer = -1;  // the node that takes last_take
    if (shape.last_take < shape.tpip || chosen.size() == 1) {
        for (int i : chosen)
            if (offer.offers[static_cast<std::size_t>(i)].short_of_tpip) fewer = i;
        if (fewer < 0) {
            for (auto it = chosen.rbegin(); it != chosen.rend(); ++it)
                if (*it != node0 || chosen.size() == 1) {
                    fewer = *it;
                    break;
                }
        }
    }
    std::vector<int> order{node0};
    for (int i : chosen)
        if (i != node0 && i != fewer) order.push_back(i);
    if (fewer >= 0 && fewer != node0) order.push_back(fewer);

    Placement placement;
    for (int i : order) {
        const NodeOffer& node = offer.offers[static_cast<std::size_t>(i)];
        const int take = i == fewer ? shape.last_take : shape.tpip;
        std::vector<int> cpus(node.cpus.begin(),
                              node.cpus.begin() + std::min<std::size_t>(node.cpus.size(), take));
        if (i == node0 && shape.nproc0) {
            // NPROC0 heads the list even if it is not the node's lowest free CPU.
            if (std::find(cpus.begin(), cpus.end(), *shape.nproc0) == cpus.end()) cpus.back() = *shape.nproc0;
            std::sort(cpus.begin(), cpus.end());
            std::rotate(cpus.begin(), std::find(cpus.begin(), cpus.end(), *shape.nproc0),
                        std::find(cpus.begin(), cpus.end(), *shape.nproc0) + 1);
        }
        for (int cpu : cpus) {
            placement.cpus.push_back(cpu);
            placement.nodes.push_back(snapshot.compute[static_cast<std::size_t>(node.node)].name());
        }
    }
    return placement;
}

}  // namespace lobos
