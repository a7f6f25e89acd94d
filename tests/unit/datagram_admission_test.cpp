// Admission of authentic heartbeats: who may send, from which address, over
// which channel to which host, and which sequence numbers are new.

#include "pulse/heartbeat/datagram_admission.hpp"

#include <stdexcept>

#include <doctest/doctest.h>

using namespace lobos;

namespace {

Node host(NodeId id, std::string ip, std::string name, int type = 0) {
    Node n;
    n.id = id;
    n.ip = std::move(ip);
    n.name = std::move(name);
    n.type = type;
    n.cpus = n.ip == hub_address ? 0 : 2;
    return n;
}

// n1's direct link to n2 uses its second interface (192.168.1.x), not its
// node address; n1 and master m1 are on hub1, whose far address in the
// topology is a gateway; n3 hangs off n2 only.
ClusterConfig small_cluster() {
    ClusterConfig c;
    c.nodes = {host(1, "10.0.0.1", "n1"), host(2, "10.0.0.2", "n2"), host(3, "10.0.0.3", "n3"),
               host(65, "10.0.0.65", "m1", 1), host(69, std::string(hub_address), "hub1")};
    c.links = {
        {"n1", "n2", "192.168.1.1", "192.168.1.2", LinkKind::direct, 1},         // 0
        {"n1", "hub1", "10.0.0.1", std::string(hub_address), LinkKind::hub, 2},  // 1
        {"m1", "hub1", "10.0.0.65", "10.0.0.254", LinkKind::hub, 3},             // 2
        {"n2", "n3", "10.0.0.2", "10.0.0.3", LinkKind::direct, 4},               // 3
    };
    return c;
}

HeartbeatReport report(NodeId sender, std::uint64_t sequence, std::uint32_t channel = report_channel) {
    HeartbeatReport r;
    r.sender = sender;
    r.sequence = sequence;
    r.channel = channel;
    return r;
}

}  // namespace

TEST_SUITE("datagram admission") {
    TEST_CASE("a report from a host at its own address is admitted") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        CHECK(admission.admit(report(1, 1), "10.0.0.1") == std::nullopt);
        CHECK(admission.admit(report(3, 1), "10.0.0.3") == std::nullopt);
    }

    TEST_CASE("the source address may be given as a number, as a socket gives it") {
        DatagramAdmission admission(small_cluster(), 65);
        CHECK(admission.admit(report(3, 1), std::uint32_t{0x0A000003}) == std::nullopt);  // 10.0.0.3
        CHECK(admission.admit(report(3, 2), std::uint32_t{0x0A000004}) == DropReason::wrong_address);
        CHECK(admission.admit(report(3, 3), "not an address") == DropReason::wrong_address);
    }

    TEST_CASE("a sender's address on one of its links is accepted as the source") {
        ClusterConfig config = small_cluster();
        DatagramAdmission master(config, 65);
        CHECK(master.admit(report(1, 1), "192.168.1.1") == std::nullopt);
        // The far end of a direct link sends from its own end of it: ip2 belongs to name2.
        DatagramAdmission n1(config, 1);
        CHECK(n1.admit(report(2, 1, 0), "192.168.1.2") == std::nullopt);
        CHECK(n1.admit(report(2, 2, 0), "192.168.1.1") == DropReason::wrong_address);
    }

    TEST_CASE("a report naming another host's id from this host's address is wrong_address") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        CHECK(admission.admit(report(2, 1), "10.0.0.1") == DropReason::wrong_address);
        CHECK(admission.admit(report(2, 1), "192.168.1.1") == DropReason::wrong_address);
        CHECK(admission.admit(report(1, 1), "10.9.9.9") == DropReason::wrong_address);
        // The hub's end of a link is not an address of the host at the other end.
        CHECK(admission.admit(report(65, 1), "10.0.0.254") == DropReason::wrong_address);
        CHECK(admission.admit(report(1, 1), hub_address) == DropReason::wrong_address);
    }

    TEST_CASE("an id not in the configuration, or a hub's id, is unknown_sender") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        CHECK(admission.admit(report(4, 1), "10.0.0.4") == DropReason::unknown_sender);
        CHECK(admission.admit(report(-1, 1), "10.0.0.1") == DropReason::unknown_sender);
        CHECK(admission.admit(report(69, 1), "10.0.0.254") == DropReason::unknown_sender);
    }

    TEST_CASE("the same datagram twice is replayed") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        CHECK(admission.admit(report(1, 7), "10.0.0.1") == std::nullopt);
        CHECK(admission.admit(report(1, 7), "10.0.0.1") == DropReason::replayed);
        CHECK(admission.admit(report(1, 8), "10.0.0.1") == std::nullopt);
    }

    TEST_CASE("an older sequence on the same channel is stale_sequence") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        CHECK(admission.admit(report(1, 100), "10.0.0.1") == std::nullopt);
        CHECK(admission.admit(report(1, 99), "10.0.0.1") == DropReason::stale_sequence);
        CHECK(admission.admit(report(1, 0), "10.0.0.1") == DropReason::stale_sequence);
        // Gaps are fine: datagrams get lost.
        CHECK(admission.admit(report(1, 250), "10.0.0.1") == std::nullopt);
    }

    TEST_CASE("the same sequence on two different channels is admitted on both") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        // Sent straight to the master and multicast on hub1, which the master is on.
        CHECK(admission.admit(report(1, 5, 1), "10.0.0.1") == std::nullopt);
        CHECK(admission.admit(report(1, 5), "10.0.0.1") == std::nullopt);
        // Channels arrive in any order: an older sequence on one is not stale because of another.
        CHECK(admission.admit(report(1, 9, 1), "10.0.0.1") == std::nullopt);
        CHECK(admission.admit(report(1, 6), "10.0.0.1") == std::nullopt);
        // And senders are independent of each other.
        CHECK(admission.admit(report(3, 5), "10.0.0.3") == std::nullopt);
    }

    TEST_CASE("a channel that is not one of the sender's links is malformed") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        CHECK(admission.admit(report(3, 1, 1), "10.0.0.3") == DropReason::malformed);  // n1's hub link
        CHECK(admission.admit(report(1, 1, 4), "10.0.0.1") == DropReason::malformed);  // no link 4
        CHECK(admission.admit(report(1, 1, 0x7FFFFFFF), "10.0.0.1") == DropReason::malformed);
    }

    TEST_CASE("a channel that does not reach this host is wrong_address") {
        ClusterConfig config = small_cluster();
        // n1's direct link leads to n2, not to the master.
        DatagramAdmission master(config, 65);
        CHECK(master.admit(report(1, 1, 0), "192.168.1.1") == DropReason::wrong_address);
        DatagramAdmission n2(config, 2);
        CHECK(n2.admit(report(1, 1, 0), "192.168.1.1") == std::nullopt);
        // Reports to the masters reach only masters.
        CHECK(n2.admit(report(1, 2), "10.0.0.1") == DropReason::wrong_address);
        // hub1's multicast reaches the hosts on hub1: the master (above) and not n3.
        DatagramAdmission n3(config, 3);
        CHECK(n3.admit(report(1, 1, 1), "10.0.0.1") == DropReason::wrong_address);
        CHECK(master.admit(report(1, 1, 1), "10.0.0.1") == std::nullopt);
    }

    TEST_CASE("a dropped datagram does not move the sequence forward") {
        ClusterConfig config = small_cluster();
        DatagramAdmission admission(config, 65);
        CHECK(admission.admit(report(1, 1000), "10.6.6.6") == DropReason::wrong_address);
        CHECK(admission.admit(report(1, 10), "10.0.0.1") == std::nullopt);
    }

    TEST_CASE("a receiver that is not a host of the configuration is refused") {
        ClusterConfig config = small_cluster();
        CHECK_THROWS_AS(DatagramAdmission(config, 12), std::invalid_argument);
        CHECK_THROWS_AS(DatagramAdmission(config, 69), std::invalid_argument);
    }
}
