#include "share/datagram_admission.hpp"

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

}  // namespace

DatagramAdmission::DatagramAdmission(const ClusterConfig& config, NodeId receiver) {
    const Node* self = config.find_node(receiver);
    if (self == nullptr || self->is_hub())
        throw std::invalid_argument("datagram admission: receiver id " + std::to_string(receiver) +
                                    " is not a host of the configuration");

    // A datagram multicast on a hub's network reaches every host with a link to that hub.
    senders_.reserve(config.nodes.size());
    std::set<std::string> hubs_of_receiver;
    for (const Link& link : config.links) {
        const std::string* far = other_end(link, self->name);
        const Node* far_node = far ? config.find_node(*far) : nullptr;
        if (far_node && far_node->is_hub()) hubs_of_receiver.insert(*far);
    }

    for (const Node& node : config.nodes) {
        if (node.is_hub()) continue;
        Sender& sender = senders_[node.id];
        sender.addresses.push_back(node.ip);
        // Reports sent straight to a master, not over a link.
        sender.channels.push_back({report_channel, self->is_master(), std::nullopt});
        for (std::size_t i = 0; i < config.links.size(); ++i) {
            const Link& link = config.links[i];
            const std::string* far = other_end(link, node.name);
            if (far == nullptr) continue;
            const std::string& address = own_address(link, node.name);
            if (address != hub_address && std::find(sender.addresses.begin(), sender.addresses.end(),
                                                    address) == sender.addresses.end())
                sender.addresses.push_back(address);
            const Node* far_node = config.find_node(*far);
            bool reaches =
                far_node && far_node->is_hub() ? hubs_of_receiver.contains(*far) : *far == self->name;
            sender.channels.push_back({static_cast<std::uint32_t>(i), reaches, std::nullopt});
        }
    }
}

std::optional<DropReason> DatagramAdmission::admit(const HeartbeatReport& report,
                                                   std::string_view source_ipv4) {
    auto found = senders_.find(report.sender);
    if (found == senders_.end()) return DropReason::unknown_sender;
    Sender& sender = found->second;

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
