#include "pulse/heartbeat/datagram_admission.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>

namespace lobos {
namespace {

// The far end of `link` seen from host `name`; nullptr if `name` is at neither end.
const std::string* other_end(const Link& link, const std::string& name) {
    if (link.name1 == name) return &link.name2;
    if (link.name2 == name) return &link.name1;
    return nullptr;
}

// Host `name`'s own address on `link` (ip1 is name1's, ip2 is name2's).
const std::string& own_address(const Link& link, const std::string& name) {
    return link.name1 == name ? link.ip1 : link.ip2;
}

// An address of config/nodes or config/topology as a number (host byte
// order); nullopt for one that is not a dotted quad (999.999.999.999 marks a hub).
std::optional<std::uint32_t> ipv4_number(std::string_view text) {
    char buffer[INET_ADDRSTRLEN] = {};
    if (text.size() >= sizeof buffer) return std::nullopt;
    std::copy(text.begin(), text.end(), buffer);
    in_addr address{};
    if (::inet_pton(AF_INET, buffer, &address) != 1) return std::nullopt;
    return ntohl(address.s_addr);
}

// Ids up to this many table slots per host (and at least this many) are
// looked up in a table rather than the map.
constexpr std::size_t id_table_slots_per_host = 4;
constexpr std::size_t min_id_table_slots = 1024;

}  // namespace

DatagramAdmission::DatagramAdmission(const ClusterConfig& config, NodeId receiver) {
    const Node* self = config.find_node(receiver);
    if (self == nullptr || self->is_hub())
        throw std::invalid_argument("datagram admission: receiver id " + std::to_string(receiver) +
                                    " is not a host of the configuration");

    // A datagram multicast on a hub's network reaches every host with a link to that hub.
    senders_.reserve(config.nodes.size());
    const std::size_t table_slots =
        std::max(min_id_table_slots, id_table_slots_per_host * config.nodes.size());
    std::set<std::string> hubs_of_receiver;
    for (const Link& link : config.links) {
        const std::string* far = other_end(link, self->name);
        const Node* far_node = far ? config.find_node(*far) : nullptr;
        if (far_node && far_node->is_hub()) hubs_of_receiver.insert(*far);
    }

    for (const Node& node : config.nodes) {
        if (node.is_hub()) continue;
        const int index = static_cast<int>(senders_.size());
        if (node.id >= 0 && static_cast<std::size_t>(node.id) < table_slots) {
            if (sender_by_id_.size() <= static_cast<std::size_t>(node.id))
                sender_by_id_.resize(static_cast<std::size_t>(node.id) + 1, -1);
            sender_by_id_[static_cast<std::size_t>(node.id)] = index;
        } else {
            sender_by_large_id_.emplace(node.id, index);
        }
        Sender& sender = senders_.emplace_back();
        auto add_address = [&](std::string_view text) {
            auto number = ipv4_number(text);
            if (number && std::find(sender.addresses.begin(), sender.addresses.end(), *number) ==
                              sender.addresses.end())
                sender.addresses.push_back(*number);
        };
        add_address(node.ip);
        // Reports sent straight to a master, not over a link.
        sender.channels.push_back({report_channel, self->is_master(), std::nullopt});
        for (std::size_t i = 0; i < config.links.size(); ++i) {
            const Link& link = config.links[i];
            const std::string* far = other_end(link, node.name);
            if (far == nullptr) continue;
            add_address(own_address(link, node.name));
            const Node* far_node = config.find_node(*far);
            bool reaches =
                far_node && far_node->is_hub() ? hubs_of_receiver.contains(*far) : *far == self->name;
            sender.channels.push_back({static_cast<std::uint32_t>(i), reaches, std::nullopt});
        }
    }
}

DatagramAdmission::Sender* DatagramAdmission::find_sender(NodeId id) {
    if (id >= 0 && static_cast<std::size_t>(id) < sender_by_id_.size()) {
        const int index = sender_by_id_[static_cast<std::size_t>(id)];
        return index < 0 ? nullptr : &senders_[static_cast<std::size_t>(index)];
    }
    auto found = sender_by_large_id_.find(id);
    return found == sender_by_large_id_.end() ? nullptr : &senders_[static_cast<std::size_t>(found->second)];
}

std::optional<DropReason> DatagramAdmission::admit(const HeartbeatReport& report,
                                                   std::string_view source_ipv4) {
    if (!find_sender(report.sender)) return DropReason::unknown_sender;
    auto number = ipv4_number(source_ipv4);
    if (!number) return DropReason::wrong_address;
    return admit(report, *number);
}

std::optional<DropReason> DatagramAdmission::admit(const HeartbeatReport& report, std::uint32_t source_ipv4) {
    Sender* found = find_sender(report.sender);
    if (!found) return DropReason::unknown_sender;
    Sender& sender = *found;

    if (std::find(sender.addresses.begin(), sender.addresses.end(), source_ipv4) == sender.addresses.end())
        return DropReason::wrong_address;

    auto channel = std::find_if(sender.channels.begin(), sender.channels.end(),
                                [&](const Channel& c) { return c.channel == report.channel; });
    if (channel == sender.channels.end()) return DropReason::malformed;
    if (!channel->reaches_receiver) return DropReason::wrong_address;

    if (channel->last_sequence) {
        if (report.sequence == *channel->last_sequence) return DropReason::replayed;
        if (report.sequence < *channel->last_sequence) return DropReason::stale_sequence;
    }
    channel->last_sequence = report.sequence;
    return std::nullopt;
}

}  // namespace lobos
