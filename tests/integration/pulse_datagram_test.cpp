// Hostile datagrams sent to a running master: each is dropped and counted
// by reason in node_detail.json, and no node or link changes state.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include <doctest/doctest.h>

#include "pulse/daemon/heartbeat_key_file.hpp"
#include "pulse/heartbeat/heartbeat_codec.hpp"
#include "share/formats/node_detail.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/support/test_cluster.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;

namespace {

// A UDP socket bound to one of the cluster's loopback addresses, as if it were that host.
class Sender {
public:
    explicit Sender(const std::string& address) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, address.c_str(), &local.sin_addr);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    }
    ~Sender() { ::close(fd_); }
    void send(const std::vector<std::uint8_t>& bytes, const std::string& address, std::uint16_t port) const {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
        REQUIRE(::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
                static_cast<ssize_t>(bytes.size()));
    }

private:
    int fd_ = -1;
};

std::uint64_t wall_microseconds() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

DropCounters dropped(const TestCluster& cluster) {
    auto text = read_file_if_exists(cluster.root() / "node_detail.json");
    if (!text) return {};
    auto read = parse_node_detail(*text);
    return read.detail ? read.detail->dropped : DropCounters{};
}

}  // namespace

TEST_CASE("forged, replayed, spoofed and oversized datagrams are dropped and counted, and change nothing") {
    TestCluster cluster("hostile");
    cluster.start_all();
    REQUIRE(cluster.wait_until([&] { return cluster.everything_up(); }, 20s));
    const std::string before = cluster.node_log();
    const std::string master = cluster.address("master1");
    const std::uint16_t port = cluster.pulse_port();
    const HeartbeatKey key = load_heartbeat_key(cluster.config_dir() / "cluster.key");
    const NodeId n01 = 1, n02 = 2;

    HeartbeatReport report;
    report.sender = n01;
    report.channel = report_channel;
    report.sequence = wall_microseconds();  // ahead of n01's own, so the first copy is admitted
    Sender as_n01(cluster.address("n01"));

    // 1. Signed with another key.
    std::vector<std::uint8_t> other_key(32, 0x5a);
    as_n01.send(encode_heartbeat(report, HeartbeatKey::from_bytes(other_key)), master, port);
    // 2. A valid datagram, then the very same bytes again.
    const std::vector<std::uint8_t> valid = encode_heartbeat(report, key);
    as_n01.send(valid, master, port);
    as_n01.send(valid, master, port);
    // 3. n02's name, from n01's address.
    HeartbeatReport spoofed = report;
    spoofed.sender = n02;
    as_n01.send(encode_heartbeat(spoofed, key), master, port);
    // 4. 64 KiB of garbage (the largest datagram IPv4 carries).
    std::vector<std::uint8_t> garbage(65507);
    std::mt19937 random(1997);
    for (auto& b : garbage) b = static_cast<std::uint8_t>(random());
    as_n01.send(garbage, master, port);
    // 5. An id that is no host of the cluster.
    HeartbeatReport stranger = report;
    stranger.sender = 4242;
    stranger.sequence = wall_microseconds();
    as_n01.send(encode_heartbeat(stranger, key), master, port);

    bool counted = cluster.wait_until(
        [&] {
            DropCounters d = dropped(cluster);
            return d["bad_tag"] >= 1 && d["replayed"] >= 1 && d["wrong_address"] >= 1 &&
                   d["oversized"] >= 1 && d["unknown_sender"] >= 1;
        },
        10s);
    INFO(cluster.logs());
    CHECK(counted);
    DropCounters d = dropped(cluster);
    CHECK(d["bad_tag"] == 1);
    CHECK(d["replayed"] == 1);
    CHECK(d["oversized"] == 1);
    CHECK(d["unknown_sender"] == 1);

    // 6. A thousand mutations of a valid datagram, and a thousand random ones of every size.
    for (int i = 0; i < 1000; ++i) {
        std::vector<std::uint8_t> mutated = valid;
        for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips)
            mutated[random() % mutated.size()] ^= static_cast<std::uint8_t>(1 + random() % 255);
        as_n01.send(mutated, master, port);
        std::vector<std::uint8_t> noise(random() % 9000);
        for (auto& b : noise) b = static_cast<std::uint8_t>(random());
        if (!noise.empty()) as_n01.send(noise, master, port);
    }
    CHECK(cluster.wait_until(
        [&] {
            DropCounters now = dropped(cluster);
            std::uint64_t total = 0;
            for (const auto& [reason, count] : now) total += count;
            // The kernel may drop part of a burst when the socket's buffer is full;
            // what matters is that many arrived and none did harm.
            return total >= 100 + 5;
        },
        10s));

    // Nothing changed: the master still runs, everything is up, node.log has no new line.
    CHECK(cluster.daemon("master1").running());
    CHECK(cluster.everything_up());
    CHECK(cluster.node_log() == before);
    // The drops were logged by the master, once per reason.
    const std::string master_log = read_file_if_exists(cluster.root() / "log" / "master1.log").value_or("");
    CHECK(master_log.find("bad_tag") != std::string::npos);
    CHECK(master_log.find("oversized") != std::string::npos);
}
