#include "pulse/health/cluster_health.hpp"

#include <doctest/doctest.h>

#include "config/config_loader.hpp"
#include "share/formats/node_detail.hpp"

using namespace lobos;
using namespace std::chrono_literals;

namespace {

// master1 and compute nodes n1, n2 on hub1; n1 and n2 also joined directly.
ClusterConfig small_cluster() {
    ConfigLoad r = load_cluster_config(
        {{"nodes",
          "1  10.0.0.1  n1      0 2 1 200 1.0 128 128 2 0.1 0.1 0.1 0.1\n"
          "2  10.0.0.2  n2      0 2 1 200 1.0 128 128 2 0.2 0.2 0.2 0.2\n"
          "65 10.0.0.65 master1 1 2 1 200 1.0 128 128 1 0.3 0.3 0.3 0.3\n"
          "69 999.999.999.999 hub1 0 0 1 0 0.0 0 0 0 0.4 0.4 0.4 0.4\n"},
         {"topology",
          "n1 n2 10.0.0.1 10.0.0.2\n"                   // link 0
          "n1 hub1 10.0.0.1 999.999.999.999\n"          // link 1
          "n2 hub1 10.0.0.2 999.999.999.999\n"          // link 2
          "master1 hub1 10.0.0.65 999.999.999.999\n"},  // link 3
         {"pulse.conf", "HeartBeat 0.5\nNodeTimeOut 2\nLinkTimeOut 2\nMasterTimeOut 2\n"}});
    REQUIRE(r.ok());
    return r.config;
}

constexpr NodeId n1 = 1, n2 = 2, master1 = 65;
constexpr LinkIndex n1_n2 = 0, n1_hub = 1, n2_hub = 2, master_hub = 3;

struct Clock {
    Instant start{std::chrono::steady_clock::time_point(100s), WallTime(std::chrono::seconds(1'700'000'000))};
    Instant at(std::chrono::milliseconds offset) const { return {start.mono + offset, start.wall + offset}; }
};

HeartbeatReport report(NodeId sender, std::uint32_t channel, std::vector<LinkHeard> links = {}) {
    HeartbeatReport r;
    r.sender = sender;
    r.channel = channel;
    r.links = std::move(links);
    return r;
}

bool has_change(const std::vector<HealthChange>& changes, const std::string& subject, bool up) {
    for (const HealthChange& c : changes)
        if (c.subject == subject && c.up == up) return true;
    return false;
}

}  // namespace

TEST_SUITE("cluster health") {
    TEST_CASE("every node and link starts down, since the master started") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        NodeStatus s = health.status(clock.start.wall);
        REQUIRE(s.nodes.size() == 4);
        for (const NodeState& n : s.nodes) {
            CHECK_FALSE(n.up);
            CHECK(n.since == clock.start.wall);
        }
        CHECK(s.links.size() == 4);
        CHECK_FALSE(health.next_deadline().has_value());
    }

    TEST_CASE("a node heard directly is up, and down exactly NodeTimeOut after it was last heard") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(n1, report_channel), master1, clock.at(100ms));
        auto changes = health.advance(clock.at(100ms));
        REQUIRE(changes.size() == 1);
        CHECK(changes[0].reason == "n1 up: heard directly");
        CHECK(health.node_up(n1));
        REQUIRE(health.next_deadline().has_value());
        CHECK(*health.next_deadline() == clock.at(2100ms).mono);

        CHECK(health.advance(clock.at(2099ms)).empty());
        changes = health.advance(clock.at(2100ms));
        REQUIRE(changes.size() == 1);
        CHECK(changes[0].reason == "n1 down: not heard for 2.0 s (NodeTimeOut 2)");
        CHECK(changes[0].at == clock.at(2100ms).wall);
        CHECK_FALSE(health.node_up(n1));
    }

    TEST_CASE("hearing a node again moves its deadline instead of adding one") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        for (int beat = 0; beat < 10; ++beat)
            health.on_datagram(report(n1, report_channel), master1,
                               clock.at(std::chrono::milliseconds(500 * beat)));
        health.advance(clock.at(4500ms));
        CHECK(health.node_up(n1));
        CHECK(*health.next_deadline() == clock.at(6500ms).mono);
        auto changes = health.advance(clock.at(6500ms));
        CHECK(has_change(changes, "n1", false));
    }

    TEST_CASE("a node the master cannot hear stays up while a neighbour reports it") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        // n2 reaches the master; n1 only reaches n2 over their direct link.
        for (int beat = 0; beat < 12; ++beat) {
            auto t = clock.at(std::chrono::milliseconds(500 * beat));
            health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 100}}}}), master1, t);
            health.advance(t);
        }
        CHECK(health.node_up(n1));
        CHECK(health.node_up(n2));
        auto latest = health.latest_changes();
        bool reported_by_n2 = false;
        for (const auto& c : latest) reported_by_n2 |= c.reason == "n1 up: reported by n2";
        CHECK(reported_by_n2);
    }

    TEST_CASE("a neighbour's late news from before a node went down does not bring it back up") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(n1, report_channel), master1, clock.at(0ms));
        health.on_datagram(report(n2, report_channel), master1, clock.at(0ms));
        health.advance(clock.at(0ms));
        auto changes = health.advance(clock.at(2000ms));
        CHECK(has_change(changes, "n1", false));
        // n2 heard n1 10 ms after the master did, and says so just after n1 went down.
        health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 1995}}}}), master1, clock.at(2005ms));
        CHECK_FALSE(has_change(health.advance(clock.at(2005ms)), "n1", true));
        CHECK_FALSE(health.node_up(n1));
        // Real news after the fact does.
        health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 5}}}}), master1, clock.at(2500ms));
        CHECK(has_change(health.advance(clock.at(2500ms)), "n1", true));
    }

    TEST_CASE("a stall of the master itself moves every deadline on by its length") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(n1, report_channel), master1, clock.at(0ms));
        health.advance(clock.at(0ms));
        health.suspend(5s);
        CHECK(*health.next_deadline() == clock.at(7000ms).mono);
        CHECK(health.advance(clock.at(6000ms)).empty());
        CHECK(health.node_up(n1));
    }

    TEST_CASE("a direct link stays up on one end's word when the other end cannot reach the master") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        // Only n2 reaches the master. It heard n1, and passes on that n1 heard it.
        for (int beat = 0; beat < 12; ++beat) {
            auto t = clock.at(std::chrono::milliseconds(500 * beat));
            health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 100}, {n2, 150}}}}), master1, t);
            health.advance(t);
        }
        CHECK(health.node_up(n1));
        CHECK(health.status(clock.start.wall).links[n1_n2].up);
    }

    TEST_CASE("news older than NodeTimeOut does not bring a node up") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 2500}}}}), master1, clock.at(3000ms));
        health.advance(clock.at(3000ms));
        CHECK_FALSE(health.node_up(n1));
    }

    TEST_CASE("a direct link is up only while both ends hear each other") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(n1, report_channel, {{n1_n2, {{n2, 10}}}}), master1, clock.at(0ms));
        health.advance(clock.at(0ms));
        CHECK_FALSE(health.status(clock.start.wall).links[n1_n2].up);  // n1 hears n2, not yet the other way
        health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 10}}}}), master1, clock.at(100ms));
        auto changes = health.advance(clock.at(100ms));
        CHECK(has_change(changes, "link n1 n2", true));
        CHECK(health.status(clock.start.wall).links[n1_n2].up);

        // n1 keeps hearing n2, but n2 no longer hears n1: the link goes down, naming n1.
        for (int beat = 1; beat <= 6; ++beat) {
            auto t = clock.at(std::chrono::milliseconds(100 + 500 * beat));
            health.on_datagram(report(n1, report_channel, {{n1_n2, {{n2, 10}}}}), master1, t);
            health.on_datagram(report(n2, report_channel, {{n1_n2, {}}}), master1, t);
            changes = health.advance(t);
            if (has_change(changes, "link n1 n2", false)) {
                for (const auto& c : changes)
                    if (c.subject == "link n1 n2")
                        CHECK_MESSAGE(c.reason.starts_with("link n1 n2 down: n1 not heard by n2 for 2."),
                                      c.reason);
                break;
            }
        }
        CHECK_FALSE(health.status(clock.start.wall).links[n1_n2].up);
        CHECK(health.node_up(n1));  // the node is heard directly: only the link is down
        CHECK(health.node_up(n2));
    }

    TEST_CASE("a hub link is up while the node is heard on the hub and hears someone there") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        // n1's multicast on hub1 reaches master1, and n1 reports hearing master1 there.
        health.on_datagram(report(n1, n1_hub, {{n1_hub, {{master1, 20}}}}), master1, clock.at(0ms));
        auto changes = health.advance(clock.at(0ms));
        CHECK(has_change(changes, "link n1 hub1", true));
        CHECK(has_change(changes, "hub1", true));
        // master1's own link to hub1 carried n1's datagram; n1 heard master1 there.
        CHECK(has_change(changes, "link master1 hub1", true));
        NodeStatus s = health.status(clock.start.wall);
        CHECK(s.links[n1_hub].ip2 == "231.231.231.231");

        // n1 goes on reaching the master directly, but stops hearing anyone on hub1.
        bool down = false;
        for (int beat = 1; beat <= 6 && !down; ++beat) {
            auto t = clock.at(std::chrono::milliseconds(500 * beat));
            health.on_datagram(report(n1, n1_hub, {{n1_hub, {}}}), master1, t);
            for (const auto& c : health.advance(t))
                if (c.subject == "link n1 hub1" && !c.up) {
                    down = true;
                    CHECK(c.reason.starts_with("link n1 hub1 down: n1 hears no one on hub1 for 2."));
                }
        }
        CHECK(down);
        CHECK(health.node_up(n1));
    }

    TEST_CASE("a hub goes down when its last link goes down") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(n1, n1_hub, {{n1_hub, {{master1, 20}}}}), master1, clock.at(0ms));
        health.advance(clock.at(0ms));
        CHECK(health.node_up(69));
        auto changes = health.advance(clock.at(5000ms));
        CHECK(has_change(changes, "link n1 hub1", false));
        CHECK(has_change(changes, "hub1", false));
        CHECK_FALSE(health.node_up(69));
    }

    TEST_CASE("reports naming links that are not the sender's are ignored") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        // n1 claims to have heard n2 over master1's hub link and over a link that does not exist.
        health.on_datagram(report(n1, report_channel, {{master_hub, {{n2, 1}}}, {99, {{n2, 1}}}, {-1, {}}}),
                           master1, clock.at(0ms));
        health.advance(clock.at(0ms));
        CHECK_FALSE(health.node_up(n2));
        CHECK_FALSE(health.status(clock.start.wall).links[master_hub].up);
    }

    TEST_CASE("a report from an unknown sender or a hub changes nothing") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(4242, report_channel), master1, clock.at(0ms));
        health.on_datagram(report(69, report_channel), master1, clock.at(0ms));
        CHECK(health.advance(clock.at(0ms)).empty());
    }

    TEST_CASE("details carry the last report and when each node was last heard") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        HeartbeatReport r = report(n2, report_channel);
        r.load_average = 1.5f;
        r.cpus = {{0.25f, true}, {0.0f, false}};
        health.on_datagram(r, master1, clock.at(700ms));
        auto details = health.details();
        REQUIRE(details.size() == 4);
        CHECK(details[1].name == "n2");
        REQUIRE(details[1].last_report.has_value());
        CHECK(details[1].last_report->load_average == 1.5f);
        CHECK(details[1].last_heard == clock.at(700ms).wall);
        CHECK_FALSE(details[0].last_heard.has_value());
        // The snapshot for the detail writer shares the report instead of copying it.
        auto shared = health.shared_details();
        REQUIRE(shared.size() == 4);
        CHECK(shared[1].name == "n2");
        REQUIRE(shared[1].last_report);
        CHECK(shared[1].last_report->load_average == 1.5f);
        CHECK(shared[1].last_report == health.shared_details()[1].last_report);
        CHECK(format_node_detail_snapshot(shared, {}, {}, clock.at(800ms).wall, "master1", 1) ==
              format_node_detail(details, {}, {}, clock.at(800ms).wall, "master1", 1));
    }

    TEST_CASE("deadlines that moved on are requeued in one go; one about to expire stays exact") {
        const ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        // n1 heard every 100 ms for a second: its first queued deadline (2000 ms) has moved on to 2900 ms.
        for (int beat = 0; beat <= 9; ++beat)
            health.on_datagram(report(n1, report_channel), master1,
                               clock.at(std::chrono::milliseconds(100 * beat)));
        health.advance(clock.at(900ms));
        CHECK(*health.next_deadline() == clock.at(2000ms).mono);
        // Within the lookahead of the queued time, it is put at its real deadline.
        health.advance(clock.at(2000ms - ClusterHealth::requeue_lookahead));
        CHECK(*health.next_deadline() == clock.at(2900ms).mono);
        // Close to the real deadline, it stays there and expires exactly then.
        CHECK(health.advance(clock.at(2850ms)).empty());
        CHECK(*health.next_deadline() == clock.at(2900ms).mono);
        CHECK(health.advance(clock.at(2899ms)).empty());
        CHECK(has_change(health.advance(clock.at(2900ms)), "n1", false));
    }

    TEST_CASE("a master that has just started declares no node down before NodeTimeOut") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        // n2 heard n1 1.5 s ago: left alone, n1 would go down 0.5 s after the master started.
        health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 1500}}}}), master1, clock.at(0ms));
        CHECK(has_change(health.advance(clock.at(0ms)), "n1", true));
        CHECK(health.advance(clock.at(1999ms)).empty());
        CHECK(health.node_up(n1));
        CHECK(has_change(health.advance(clock.at(2000ms)), "n1", false));
    }

    TEST_CASE("a master that has just started declares no link down before LinkTimeOut") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        // n2 heard n1 over their link 1.8 s ago, and n1 heard n2 just now.
        health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 1800}, {n2, 0}}}}), master1,
                           clock.at(0ms));
        CHECK(has_change(health.advance(clock.at(0ms)), "link n1 n2", true));
        CHECK_FALSE(has_change(health.advance(clock.at(1999ms)), "link n1 n2", false));
        CHECK(has_change(health.advance(clock.at(2000ms)), "link n1 n2", false));
    }

    TEST_CASE("a master taking over keeps what node_status shows for what it has not heard itself") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        NodeStatus shown = health.status(clock.start.wall);
        const WallTime earlier = clock.start.wall - 600s;
        for (NodeState& n : shown.nodes) n = {n.name, n.name != "n2", earlier};
        for (LinkState& l : shown.links) l = {l.name1, l.name2, l.ip1, l.ip2, true, earlier};
        health.adopt_shown(shown, clock.at(100ms));
        CHECK(health.advance(clock.at(100ms)).empty());  // nothing changed: nothing to log
        CHECK(health.latest_changes().empty());
        NodeStatus written = health.status(clock.at(100ms).wall);
        CHECK(written.nodes[0].up);  // n1, as shown
        CHECK(written.nodes[0].since == earlier);
        CHECK_FALSE(written.nodes[1].up);  // n2, as shown
        CHECK(written.links[n1_n2].up);
        CHECK(written.links[n1_n2].since == earlier);
        // Not heard by the time this master has listened for NodeTimeOut: down, saying so.
        CHECK(health.advance(clock.at(1999ms)).empty());
        auto changes = health.advance(clock.at(2000ms));
        CHECK(has_change(changes, "n1", false));
        CHECK(has_change(changes, "link n1 n2", false));
        for (const HealthChange& c : changes)
            if (c.subject == "n1") CHECK(c.reason == "n1 down: not heard for 2.0 s (NodeTimeOut 2)");
    }

    TEST_CASE("a node shown up and heard before NodeTimeOut stays up without a change to log") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        NodeStatus shown = health.status(clock.start.wall);
        shown.nodes[0].up = true;
        health.adopt_shown(shown, clock.at(0ms));
        health.on_datagram(report(n1, report_channel), master1, clock.at(1500ms));
        CHECK_FALSE(has_change(health.advance(clock.at(1500ms)), "n1", true));
        CHECK(health.advance(clock.at(2500ms)).empty());
        CHECK(health.node_up(n1));
        CHECK(has_change(health.advance(clock.at(3500ms)), "n1", false));
    }

    TEST_CASE("what a master heard since it started listening wins over what node_status shows") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.on_datagram(report(n1, report_channel), master1, clock.at(100ms));
        health.advance(clock.at(100ms));
        NodeStatus shown = health.status(clock.start.wall);
        shown.nodes[0].up = false;
        shown.nodes[1].up = true;
        health.adopt_shown(shown, clock.at(200ms));
        CHECK(health.node_up(n1));
        CHECK(health.node_up(n2));
    }

    TEST_CASE("a master that has listened for NodeTimeOut adopts nothing from node_status") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        CHECK_FALSE(health.heard_long_enough(clock.at(1999ms)));
        CHECK(health.heard_long_enough(clock.at(2000ms)));
        NodeStatus shown = health.status(clock.start.wall);
        for (NodeState& n : shown.nodes) n.up = true;
        health.adopt_shown(shown, clock.at(2000ms));
        CHECK_FALSE(health.node_up(n1));
        CHECK_FALSE(health.next_deadline().has_value());
    }

    TEST_CASE("a master that heard no one listens again from when it restarts listening") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.restart_listening(clock.at(9s));
        CHECK(health.listening_since().wall == clock.at(9s).wall);
        // Its own datagram is not another host's: listening starts at n2's.
        health.on_datagram(report(master1, report_channel), master1, clock.at(9500ms));
        CHECK(health.listening_since().wall == clock.at(9s).wall);
        // n1 as n2 heard it 1.5 s ago: not down before the master has listened 2 s again.
        health.on_datagram(report(n2, report_channel, {{n1_n2, {{n1, 1500}}}}), master1, clock.at(10s));
        CHECK(health.listening_since().wall == clock.at(10s).wall);
        CHECK_FALSE(health.heard_long_enough(clock.at(11s)));
        health.advance(clock.at(10s));
        CHECK_FALSE(has_change(health.advance(clock.at(11999ms)), "n1", false));
        CHECK(has_change(health.advance(clock.at(12000ms)), "n1", false));
        // Once restarted, it stays: later datagrams do not move it.
        health.on_datagram(report(n2, report_channel), master1, clock.at(12500ms));
        CHECK(health.listening_since().wall == clock.at(10s).wall);
    }

    TEST_CASE("a stall of the master moves the start of its listening on by its length") {
        ClusterConfig config = small_cluster();
        Clock clock;
        ClusterHealth health(config, clock.start);
        health.suspend(5s);
        CHECK(health.listening_since().wall == clock.at(5s).wall);
        CHECK(health.listening_since().mono == clock.at(5s).mono);
    }
}
