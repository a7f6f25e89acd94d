// The wake-up port (share/io/wake_up): a datagram from send_wake_up reaches
// a listener's handler once; junk and datagrams over the rate limit are
// dropped and counted. On one machine inotify also wakes the daemons, so the
// listener is tested on its own, over real UDP.

#include "share/io/wake_up.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "config/config_loader.hpp"
#include "tests/support/test_cluster.hpp"

using namespace lobos;
using namespace std::chrono_literals;

namespace {

const std::string loopback = "127.0.0.1";

// Raw bytes to `port` on the loopback address, as a stranger would send them.
void send_raw(const std::string& bytes, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, loopback.c_str(), &to.sin_addr);
    CHECK(::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
          static_cast<ssize_t>(bytes.size()));
    ::close(fd);
}

// A listener in its own io_context, with its log to /dev/null.
struct Listening {
    explicit Listening(TokenBucket limit = TokenBucket(200, 50))
        : null_fd(::open("/dev/null", O_WRONLY | O_CLOEXEC)),
          log("wake_up_test", "localhost", null_fd),
          listener(
              io, loopback, 0, log, [this](WakeUpKind kind) { kinds.push_back(kind); }, limit) {
        listener.start();
    }
    ~Listening() { ::close(null_fd); }

    // Runs the loop until `handled` datagrams were handled or dropped: bounded in count and time.
    void run_until_handled(long handled) {
        auto total = [&] {
            const auto& c = listener.counts();
            return c.accepted + c.malformed + c.over_rate;
        };
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        for (int i = 0; i < 1000 && total() < handled && std::chrono::steady_clock::now() < deadline; ++i)
            io.run_one_for(50ms);
        REQUIRE(total() == handled);
    }

    int null_fd;
    DaemonLog log;
    asio::io_context io;
    std::vector<WakeUpKind> kinds;
    WakeUpListener listener;
};

// True while some socket holds UDP `address`:`port`: a bind without
// SO_REUSEADDR fails then, whatever the holder set.
bool udp_port_taken(const std::string& address, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &local.sin_addr);
    const bool taken =
        ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 && errno == EADDRINUSE;
    ::close(fd);
    return taken;
}

}  // namespace

TEST_SUITE("wake-up port") {
    TEST_CASE("a wake-up sent with send_wake_up reaches the listener's handler once") {
        Listening l;
        send_wake_up(loopback, l.listener.port(), WakeUpKind::orders);
        l.run_until_handled(1);
        CHECK(l.kinds == std::vector<WakeUpKind>{WakeUpKind::orders});
        CHECK(l.listener.counts().accepted == 1);
        CHECK(l.listener.counts().malformed == 0);
    }

    TEST_CASE("datagrams that are not exactly a wake-up are dropped and counted") {
        Listening l;
        const std::vector<std::string> junk = {
            "",
            "lobos look",
            "lobos look spool\n",
            "hello",
            std::string(wake_up_max_size, 'x'),
            std::string(wake_up_text(WakeUpKind::spool)) + std::string(100, ' ')};
        for (const std::string& j : junk) send_raw(j, l.listener.port());
        send_wake_up(loopback, l.listener.port(), WakeUpKind::spool);
        l.run_until_handled(static_cast<long>(junk.size()) + 1);
        CHECK(l.listener.counts().malformed == static_cast<long>(junk.size()));
        CHECK(l.kinds == std::vector<WakeUpKind>{WakeUpKind::spool});
    }

    TEST_CASE("wake-ups beyond the rate limit are dropped and counted") {
        // A burst of 3 and next to no refill: the rest of a flood is dropped.
        Listening l(TokenBucket(0.001, 3));
        for (int i = 0; i < 10; ++i) send_wake_up(loopback, l.listener.port(), WakeUpKind::reports);
        l.run_until_handled(10);
        CHECK(l.listener.counts().accepted == 3);
        CHECK(l.listener.counts().over_rate == 7);
        CHECK(l.kinds.size() == 3);
    }

    TEST_CASE(
        "a listener that cannot bind its address says why, naming the address, and listens to nothing") {
        asio::io_context io;
        DaemonLog log("wake_up_test", "localhost");
        // 192.0.2.1 (TEST-NET-1) is no address of this machine.
        WakeUpListener listener(io, "192.0.2.1", 0, log, [](WakeUpKind) { FAIL("no wake-up can arrive"); });
        CHECK(listener.bind_error().find("192.0.2.1") != std::string::npos);
        listener.start();
        CHECK(io.poll() == 0);
    }

    TEST_CASE("send_wake_up to an address that cannot be sent to returns quietly") {
        send_wake_up("not an address", 1, WakeUpKind::spool);
        send_wake_up("192.0.2.1", 9, WakeUpKind::spool);
    }

    TEST_CASE("lobosqd and lobos-runner listen at their host's address and WakePort and outlive junk") {
        lobos::test::TestCluster cluster("wake-up");
        const ConfigLoad load = read_cluster_config(cluster.config_dir());
        REQUIRE(load.ok());
        const std::uint16_t port = load.config.pulse.wake_port;
        CHECK(port == cluster.pulse_port() + 1000);
        const std::string master = cluster.masters().at(0);
        const std::string node = cluster.compute_nodes().at(0);
        CHECK_FALSE(udp_port_taken(cluster.address(master), port));
        cluster.start_queue_daemon(master);
        cluster.start_runner(node);
        for (const std::string& host : {master, node}) {
            INFO(host << " at " << cluster.address(host) << ":" << port << "\n" << cluster.logs());
            CHECK(cluster.wait_until([&] { return udp_port_taken(cluster.address(host), port); }, 10s));
        }
        // Junk and a flood of wake-ups end neither daemon.
        for (const std::string& host : {master, node}) {
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_port = htons(port);
            ::inet_pton(AF_INET, cluster.address(host).c_str(), &to.sin_addr);
            const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            REQUIRE(fd >= 0);
            for (int i = 0; i < 500; ++i) {
                const std::string junk = i % 2 ? "junk" : std::string(wake_up_text(WakeUpKind::spool));
                ::sendto(fd, junk.data(), junk.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
            }
            ::close(fd);
        }
        // A wake-up's handling is a look at the files: the daemons still answer afterwards.
        send_wake_up(cluster.address(master), port, WakeUpKind::reports);
        send_wake_up(cluster.address(node), port, WakeUpKind::orders);
        CHECK(
            cluster.wait_until([&] { return std::filesystem::exists(cluster.root() / "job_status"); }, 10s));
        CHECK(cluster.daemon("lobosqd " + master).running());
        CHECK(cluster.daemon("runner " + node).running());
    }
}
