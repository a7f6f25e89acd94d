#include "pulse/health/peer_hearing.hpp"

#include <doctest/doctest.h>

#include "config/config_loader.hpp"

using namespace lobos;
using namespace std::chrono_literals;

namespace {

// n1 and n2 joined directly; n1, n2, master1 and 20 more nodes on hub1.
ClusterConfig cluster() {
    std::string nodes =
        "1  10.0.0.1  n1      0 2 1 200 1.0 128 128 2 0.1 0.1 0.1 0.1\n"
        "2  10.0.0.2  n2      0 2 1 200 1.0 128 128 2 0.2 0.2 0.2 0.2\n"
        "65 10.0.0.65 master1 1 2 1 200 1.0 128 128 1 0.3 0.3 0.3 0.3\n"
        "69 999.999.999.999 hub1 0 0 1 0 0.0 0 0 0 0.4 0.4 0.4 0.4\n";
    std::string topology =
        "n1 n2 10.0.0.1 10.0.0.2\n"                  // link 0
        "n1 hub1 10.0.0.1 999.999.999.999\n"         // link 1
        "n2 hub1 10.0.0.2 999.999.999.999\n"         // link 2
        "master1 hub1 10.0.0.65 999.999.999.999\n";  // link 3
    for (int i = 0; i < 20; ++i) {
        const std::string id = std::to_string(100 + i), ip = "10.0.1." + std::to_string(i + 1);
        nodes += id + " " + ip + " x" + id + " 0 2 1 200 1.0 128 128 1 0.5 0.5 0.5 0.5\n";
        topology += "x" + id + " hub1 " + ip + " 999.999.999.999\n";  // links 4..23
    }
    ConfigLoad r = load_cluster_config({{"nodes", nodes}, {"topology", topology}, {"pulse.conf", ""}});
    REQUIRE(r.ok());
    return r.config;
}

HeartbeatReport from(NodeId sender, std::uint32_t channel, std::vector<LinkHeard> links = {}) {
    HeartbeatReport r;
    r.sender = sender;
    r.channel = channel;
    r.links = std::move(links);
    return r;
}

const LinkHeard* entry(const std::vector<LinkHeard>& report, LinkIndex link) {
    for (const LinkHeard& l : report)
        if (l.link == link) return &l;
    return nullptr;
}

constexpr auto horizon = std::chrono::seconds(10);

}  // namespace

TEST_SUITE("peer hearing") {
    TEST_CASE("a host reports one entry per own link, with the peer heard over a direct link and its age") {
        ClusterConfig c = cluster();
        PeerHearing hearing(c, 1);
        const auto t0 = std::chrono::steady_clock::time_point(100s);
        hearing.heard(from(2, 0), t0);
        auto report = hearing.report(t0 + 300ms, horizon);
        REQUIRE(report.size() == 2);  // n1 n2, n1 hub1
        const LinkHeard* direct = entry(report, 0);
        REQUIRE(direct);
        REQUIRE(direct->heard.size() == 1);
        CHECK(direct->heard[0].peer == 2);
        CHECK(direct->heard[0].age_ms == 300);
        CHECK(entry(report, 1)->heard.empty());
    }

    TEST_CASE("a hub datagram names the sender's link to the hub and counts for this host's link to it") {
        ClusterConfig c = cluster();
        PeerHearing hearing(c, 1);
        const auto t0 = std::chrono::steady_clock::time_point(100s);
        hearing.heard(from(2, 2), t0);   // n2's link to hub1
        hearing.heard(from(65, 3), t0);  // master1's link to hub1
        const auto report = hearing.report(t0, horizon);
        const LinkHeard* hub = entry(report, 1);
        REQUIRE(hub);
        REQUIRE(hub->heard.size() == 2);
        CHECK(hub->heard[0].peer == 2);
        CHECK(hub->heard[1].peer == 65);
    }

    TEST_CASE("peers heard longer ago than the horizon are left out") {
        ClusterConfig c = cluster();
        PeerHearing hearing(c, 1);
        const auto t0 = std::chrono::steady_clock::time_point(100s);
        hearing.heard(from(2, 0), t0);
        const auto report = hearing.report(t0 + 11s, horizon);
        CHECK(entry(report, 0)->heard.empty());
    }

    TEST_CASE("a hub link lists at most 16 peers, masters first, then the most recently heard") {
        ClusterConfig c = cluster();
        PeerHearing hearing(c, 1);
        const auto t0 = std::chrono::steady_clock::time_point(100s);
        hearing.heard(from(65, 3), t0);  // the master, heard first and so oldest
        for (int i = 0; i < 20; ++i)
            hearing.heard(from(100 + i, static_cast<std::uint32_t>(4 + i)), t0 + (i + 1) * 10ms);
        const auto report = hearing.report(t0 + 1s, horizon);
        const LinkHeard* hub = entry(report, 1);
        REQUIRE(hub);
        REQUIRE(hub->heard.size() == PeerHearing::max_hub_peers);
        bool master_listed = false;
        for (const PeerHeard& p : hub->heard) {
            master_listed = master_listed || p.peer == 65;
            CHECK((p.peer == 65 || p.peer >= 105));  // the five oldest compute nodes are dropped
        }
        CHECK(master_listed);
    }

    TEST_CASE("what the far end of a direct link says it heard of this host is passed on") {
        ClusterConfig c = cluster();
        PeerHearing hearing(c, 2);
        const auto t0 = std::chrono::steady_clock::time_point(100s);
        // n1 says over the n1-n2 link that it heard n2 200 ms ago.
        hearing.heard(from(1, 0, {{0, {{2, 200}}}}), t0);
        const auto report = hearing.report(t0 + 100ms, horizon);
        const LinkHeard* direct = entry(report, 0);
        REQUIRE(direct);
        REQUIRE(direct->heard.size() == 2);
        CHECK(direct->heard[0].peer == 1);
        CHECK(direct->heard[0].age_ms == 100);
        CHECK(direct->heard[1].peer == 2);  // this host itself: heard by n1 300 ms ago
        CHECK(direct->heard[1].age_ms == 300);
    }

    TEST_CASE("own datagrams, reports to masters and foreign channels are not hearing") {
        ClusterConfig c = cluster();
        PeerHearing hearing(c, 1);
        const auto t0 = std::chrono::steady_clock::time_point(100s);
        hearing.heard(from(1, 1), t0);               // looped back multicast of our own
        hearing.heard(from(2, report_channel), t0);  // a report is for masters
        hearing.heard(from(100, 4), t0 + 1ms);       // x100 on hub1: counts for our hub link
        auto report = hearing.report(t0 + 2ms, horizon);
        CHECK(entry(report, 0)->heard.empty());
        REQUIRE(entry(report, 1)->heard.size() == 1);
        CHECK(entry(report, 1)->heard[0].peer == 100);
    }
}
