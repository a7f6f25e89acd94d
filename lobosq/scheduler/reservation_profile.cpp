#include "lobosq/scheduler/reservation_profile.hpp"

#include <algorithm>

namespace lobos {

ReservationProfile::ReservationProfile(const std::vector<CpuSlot>& cpus, std::vector<bool> usable,
                                       std::vector<JobTime> busy_until)
    : cpus_(&cpus),
      usable_(std::move(usable)),
      free_at_(std::move(busy_until)),
      first_reserved_(cpus.size(), never),
      node_of_(cpus.size(), 0) {
    usable_.resize(cpus.size(), false);
    free_at_.resize(cpus.size(), never);
    for (std::size_t i = 0; i < cpus.size(); ++i) {
        if (i == 0 || cpus[i].node != cpus[i - 1].node) node_cpus_.emplace_back();
        node_of_[i] = static_cast<int>(node_cpus_.size()) - 1;
        if (usable_[i])
            node_cpus_.back().push_back(static_cast<int>(i) + 1);
        else
            free_at_[i] = never;
    }
    std::size_t widest = 0;
    for (const auto& list : node_cpus_) widest = std::max(widest, list.size());
    by_need_.resize(widest);
    ready_.resize(node_cpus_.size());
    for (std::size_t n = 0; n < node_cpus_.size(); ++n) resort(static_cast<int>(n));
}

void ReservationProfile::resort(int node) {
    const auto n = static_cast<std::size_t>(node);
    std::vector<int>& list = node_cpus_[n];
    std::sort(list.begin(), list.end(), [this](int a, int b) {
        const JobTime fa = free_at(a), fb = free_at(b);
        return fa != fb ? fa < fb : a < b;
    });
    // Only the counts whose moment moved change place in their order.
    std::vector<NeedOrder::iterator>& ready = ready_[n];
    const std::size_t known = ready.size();
    ready.resize(list.size());
    for (std::size_t q = 0; q < list.size(); ++q) {
        const JobTime now_ready = free_at(list[q]);
        if (q < known) {
            if (ready[q]->first == now_ready) continue;
            by_need_[q].erase(ready[q]);
        }
        ready[q] = by_need_[q].insert({now_ready, node}).first;
    }
}

void ReservationProfile::resort(const std::vector<int>& cpus) {
    int last = -1;  // a job's CPUs come a node at a time
    for (int cpu : cpus) {
        const int node = node_of_[static_cast<std::size_t>(cpu - 1)];
        if (node != last) resort(node);
        last = node;
    }
}

std::optional<ReservationProfile::Slot> ReservationProfile::earliest_slot(const PlacementRequest& request,
                                                                          JobTime earliest) const {
    const int p = std::max(1, request.tpip);
    int left = request.nprocs_low;
    if (left < 1) return std::nullopt;

    JobTime start = earliest;
    std::vector<int> chosen_nodes;
    int node0 = -1;
    if (request.nproc0) {
        const int c = *request.nproc0;
        if (c < 1 || c > static_cast<int>(cpus_->size()) || !usable(c)) return std::nullopt;
        node0 = node_of_[static_cast<std::size_t>(c - 1)];
        const auto& list = node_cpus_[static_cast<std::size_t>(node0)];
        const int take = std::min(p, left);
        if (static_cast<int>(list.size()) < take) return std::nullopt;
        start = std::max(start, free_at(c));
        int others = 0;  // the soonest free of the node's other CPUs join NPROC0's
        for (int cpu : list) {
            if (others == take - 1) break;
            if (cpu == c) continue;
            start = std::max(start, free_at(cpu));
            ++others;
        }
        left -= take;
    }

    if (left > 0) {
        const int need = std::min(p, left);
        const int nodes_needed = (left + p - 1) / p;
        if (need > static_cast<int>(by_need_.size())) return std::nullopt;
        for (const auto& [ready, node] : by_need_[static_cast<std::size_t>(need - 1)]) {
            if (node == node0) continue;
            if (ready == never) return std::nullopt;
            chosen_nodes.push_back(node);
            if (static_cast<int>(chosen_nodes.size()) == nodes_needed) {
                start = std::max(start, ready);
                break;
            }
        }
        if (static_cast<int>(chosen_nodes.size()) < nodes_needed) return std::nullopt;
        std::sort(chosen_nodes.begin(), chosen_nodes.end());
    }

    Slot slot{start, {}};
    auto take_from = [&](int node, int count, int first_cpu) {
        std::vector<int> cpus;
        if (first_cpu) cpus.push_back(first_cpu);
        for (int cpu : node_cpus_[static_cast<std::size_t>(node)]) {
            if (static_cast<int>(cpus.size()) == count) break;
            if (cpu != first_cpu) cpus.push_back(cpu);
        }
        std::sort(cpus.begin() + (first_cpu ? 1 : 0), cpus.end());
        for (int cpu : cpus) {
            slot.cpus.cpus.push_back(cpu);
            slot.cpus.nodes.push_back((*cpus_)[static_cast<std::size_t>(cpu - 1)].node);
        }
    };
    int remaining = request.nprocs_low;
    if (node0 >= 0) {
        const int take = std::min(p, remaining);
        take_from(node0, take, *request.nproc0);
        remaining -= take;
    }
    for (int node : chosen_nodes) {
        const int take = std::min(p, remaining);
        take_from(node, take, 0);
        remaining -= take;
    }
    return slot;
}

void ReservationProfile::reserve(const std::vector<int>& cpus, JobTime start, JobTime end) {
    for (int cpu : cpus) {
        const auto i = static_cast<std::size_t>(cpu - 1);
        first_reserved_[i] = std::min(first_reserved_[i], start);
        free_at_[i] = std::max(free_at_[i], end);
    }
    resort(cpus);
}

void ReservationProfile::occupy(const std::vector<int>& cpus, JobTime end) {
    for (int cpu : cpus) {
        const auto i = static_cast<std::size_t>(cpu - 1);
        free_at_[i] = std::max(free_at_[i], end);
    }
    resort(cpus);
}

}  // namespace lobos
