// Links cut for real: every host of a small cluster runs in a network
// namespace of its own, joined by veth pairs (direct links) and bridges
// (hubs), and the test takes one link away. Only that link may go down;
// the nodes at its ends stay up, heard over their other links. Needs root
// (network namespaces); as any other user each test says it is skipped.

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "tests/support/netns_cluster.hpp"
#include "tests/support/ring_config.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;

namespace {

constexpr auto heartbeat = ring_heartbeat;
constexpr auto node_timeout = ring_node_timeout;
constexpr auto link_timeout = ring_link_timeout;
// Bounds for waits that should end far sooner; they only stop a broken run.
constexpr auto patience = 20s;

// True (and the reason shown in the test's output) when this process may not make namespaces.
bool skipped() {
    auto why = why_no_network_namespaces();
    if (why) MESSAGE("skipped: " << *why);
    return why.has_value();
}

struct LogLine {
    WallTime at;
    std::string text;
};

std::vector<LogLine> log_lines(const std::string& log, WallTime since) {
    std::vector<LogLine> out;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        std::tm tm{};
        if (line.size() < 24 || !strptime(line.c_str(), "%Y-%m-%d %H:%M:%S", &tm)) continue;
        tm.tm_isdst = -1;
        auto at = std::chrono::system_clock::from_time_t(std::mktime(&tm)) +
                  std::chrono::milliseconds(std::stoi(line.substr(20, 3)));
        if (at >= since) out.push_back({at, line.substr(24)});
    }
    return out;
}

std::optional<LogLine> first_line(const std::string& log, const std::string& prefix, WallTime since) {
    for (const LogLine& l : log_lines(log, since))
        if (l.text.starts_with(prefix)) return l;
    return std::nullopt;
}

// What a node.log line is about: "n1", or "link n1 n2".
std::string subject(const std::string& text) {
    std::istringstream in(text);
    std::string first, a, b;
    in >> first;
    if (first != "link") return first;
    in >> a >> b;
    return "link " + a + " " + b;
}

double seconds_between(WallTime a, WallTime b) { return std::chrono::duration<double>(b - a).count(); }

bool any_node_down(const TestCluster& cluster) {
    auto status = cluster.node_status();
    if (!status) return false;
    for (const NodeState& n : status->nodes)
        if (!n.up) return true;
    return false;
}

void start_and_wait_up(TestCluster& cluster) {
    cluster.start_all();
    bool up = cluster.wait_until([&] { return cluster.everything_up(); }, patience);
    REQUIRE_MESSAGE(up, cluster.logs());
}

}  // namespace

TEST_SUITE("pulse in network namespaces") {
    TEST_CASE("a cut direct link goes down while both its nodes stay up (network namespaces)") {
        if (skipped()) return;
        ScratchDir source("netns-config");
        write_ring_config(source.path());
        NetnsCluster net("netns-direct", source.path());
        TestCluster& cluster = net.cluster();
        start_and_wait_up(cluster);

        // n1's end of the n1–n2 veth goes down: nothing crosses that link
        // either way, while n1 and n2 still reach the masters over their hubs.
        const WallTime cut = std::chrono::system_clock::now();
        net.set_direct_link_up("n1", "n2", false);
        bool down = cluster.wait_until([&] { return cluster.state("link n1 n2") == false; }, patience);
        REQUIRE_MESSAGE(down, cluster.logs());
        auto line = first_line(cluster.node_log(), "link n1 n2 down:", cut);
        REQUIRE(line);
        MESSAGE("link n1 n2 down " << seconds_between(cut, line->at) << " s after the cut: " << line->text);
        CHECK(line->at - cut <= link_timeout + heartbeat);

        // Keep the link cut for twice NodeTimeOut more: no node may go down meanwhile.
        CHECK_FALSE(cluster.wait_until([&] { return any_node_down(cluster); }, 2 * node_timeout));

        const WallTime mended = std::chrono::system_clock::now();
        net.set_direct_link_up("n1", "n2", true);
        bool back_up = cluster.wait_until([&] { return cluster.everything_up(); }, patience);
        REQUIRE_MESSAGE(back_up, cluster.logs());
        if (auto back = first_line(cluster.node_log(), "link n1 n2 up:", mended))
            MESSAGE("link n1 n2 up " << seconds_between(mended, back->at) << " s after it was mended");

        // From the cut on, node.log speaks of that link only.
        for (const LogLine& l : log_lines(cluster.node_log(), cut)) {
            CAPTURE(l.text);
            CHECK(subject(l.text) == "link n1 n2");
        }
    }

    TEST_CASE(
        "a node whose hub link is cut stays up, heard through its ring neighbours, while that hub link goes "
        "down (network namespaces)") {
        if (skipped()) return;
        ScratchDir source("netns-config");
        write_ring_config(source.path());
        NetnsCluster net("netns-hub", source.path());
        TestCluster& cluster = net.cluster();
        start_and_wait_up(cluster);

        // n1's port on hub1 stops forwarding: n1 reaches neither the masters
        // nor n3, and hears no one on hub1, but n2 and n4 still hear it over
        // the ring and report it.
        const WallTime cut = std::chrono::system_clock::now();
        net.set_hub_port_forwarding("n1", "hub1", false);
        bool down = cluster.wait_until([&] { return cluster.state("link n1 hub1") == false; }, patience);
        REQUIRE_MESSAGE(down, cluster.logs());
        auto line = first_line(cluster.node_log(), "link n1 hub1 down:", cut);
        REQUIRE(line);
        MESSAGE("link n1 hub1 down " << seconds_between(cut, line->at) << " s after the cut: " << line->text);
        CHECK(line->at - cut <= link_timeout + heartbeat);

        // Keep it cut for twice NodeTimeOut more: n1 (and every other node, hub1 too) stays up.
        CHECK_FALSE(cluster.wait_until([&] { return any_node_down(cluster); }, 2 * node_timeout));
        CHECK(cluster.state("n1") == true);
        CHECK(cluster.state("hub1") == true);

        const WallTime mended = std::chrono::system_clock::now();
        net.set_hub_port_forwarding("n1", "hub1", true);
        bool back_up = cluster.wait_until([&] { return cluster.everything_up(); }, patience);
        REQUIRE_MESSAGE(back_up, cluster.logs());
        if (auto back = first_line(cluster.node_log(), "link n1 hub1 up:", mended))
            MESSAGE("link n1 hub1 up " << seconds_between(mended, back->at) << " s after it was mended");

        // From the cut on, no node changed, and only links of n1 did.
        for (const LogLine& l : log_lines(cluster.node_log(), cut)) {
            CAPTURE(l.text);
            const std::string s = subject(l.text);
            CHECK(s.starts_with("link "));
            CHECK((s.starts_with("link n1 ") || s.ends_with(" n1")));
        }
        // n1's ring links worked throughout, and stay up: n2 and n4 pass on,
        // in their own reports, that n1 hears them.
        for (const char* ring_link : {"link n1 n2 down:", "link n4 n1 down:"})
            CHECK_MESSAGE(!first_line(cluster.node_log(), ring_link, cut).has_value(), ring_link);
        // So only the hub link changed: one line down, one line up.
        CHECK(log_lines(cluster.node_log(), cut).size() == 2);
    }

    TEST_CASE(
        "a primary cut off from every host steps down, the next master takes over, and no node is written "
        "down (network namespaces)") {
        if (skipped()) return;
        ScratchDir source("netns-config");
        write_ring_config(source.path());
        NetnsCluster net("netns-partition", source.path());
        TestCluster& cluster = net.cluster();
        start_and_wait_up(cluster);
        const std::vector<std::string> computes{"n1", "n2", "n3", "n4"};

        // master1's switch ports stop forwarding on both hubs: it hears no
        // one, and no one hears it, while it still reaches the cluster root.
        const WallTime cut = std::chrono::system_clock::now();
        net.set_hub_port_forwarding("master1", "hub1", false);
        net.set_hub_port_forwarding("master1", "hub2", false);
        bool taken = cluster.wait_until(
            [&] { return first_line(cluster.node_log(), "master2 primary master", cut).has_value(); },
            patience);
        REQUIRE_MESSAGE(taken, cluster.logs());
        auto line = first_line(cluster.node_log(), "master2 primary master", cut);
        MESSAGE("master2 primary " << seconds_between(cut, line->at) << " s after master1 was cut off");
        CHECK(line->at - cut <= ring_master_timeout + 2 * heartbeat);
        const std::string master1_log = read_file_if_exists(cluster.daemon("master1").log()).value_or("");
        CHECK(master1_log.find("stepping down as primary: it hears no other host") != std::string::npos);

        // Cut off for twice NodeTimeOut more: every compute node stays up.
        CHECK_FALSE(cluster.wait_until(
            [&] {
                for (const std::string& n : computes)
                    if (cluster.state(n) == false) return true;
                return false;
            },
            2 * node_timeout));

        // Healed: master1 is primary again, everything is up, and no daemon ended.
        const WallTime healed = std::chrono::system_clock::now();
        net.set_hub_port_forwarding("master1", "hub1", true);
        net.set_hub_port_forwarding("master1", "hub2", true);
        bool back = cluster.wait_until(
            [&] {
                return first_line(cluster.node_log(), "master1 primary master", healed).has_value() &&
                       cluster.everything_up();
            },
            patience);
        REQUIRE_MESSAGE(back, cluster.logs());
        for (const std::string& host : cluster.hosts()) CHECK_MESSAGE(cluster.daemon(host).running(), host);
        // From the cut on, node.log never said a compute node went down.
        for (const LogLine& l : log_lines(cluster.node_log(), cut)) {
            CAPTURE(l.text);
            const std::string s = subject(l.text);
            CHECK(std::find(computes.begin(), computes.end(), s) == computes.end());
        }
    }
}
