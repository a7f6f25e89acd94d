#pragma once
// "Look now" wake-ups between hosts (share/formats/wake_up_message): inotify
// sees only what this host writes, so without them a file another host
// writes waits for the next rescan. A wake-up carries no authority; the
// files stay the record and the rescan stays the fallback, so a lost
// datagram costs only latency and a forged one only a look, which the rate
// limit caps.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "share/formats/rate_limit.hpp"
#include "share/formats/wake_up_message.hpp"
#include "share/io/asio.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

class WakeUpListener {
public:
    using Handler = std::function<void(WakeUpKind)>;
    struct Counts {
        long accepted = 0;   // handed to the handler
        long malformed = 0;  // not a wake-up message: dropped
        long over_rate = 0;  // beyond the rate limit: dropped (the rescan finds the work)
    };

    // Binds UDP `address`:`port` (port 0: one the kernel chooses, for tests).
    // When it cannot, it logs a warning naming the address and listens to
    // nothing (bind_error() says why): the rescan still finds the work.
    WakeUpListener(asio::io_context& io, const std::string& address, std::uint16_t port, DaemonLog& log,
                   Handler handler, TokenBucket limit = TokenBucket(200, 50));

    void start();  // begins receiving
    const Counts& counts() const { return counts_; }
    std::uint16_t port() const;                                    // the port bound
    const std::string& bind_error() const { return bind_error_; }  // empty when bound

private:
    void receive();
    void received(std::size_t size);

    asio::ip::udp::socket socket_;
    asio::steady_timer pause_;  // between a receive error and the next receive
    std::string where_;         // address:port, for the log
    std::string bind_error_;
    DaemonLog& log_;
    Handler handler_;
    TokenBucket limit_;
    Counts counts_;
    char buffer_[wake_up_max_size + 1];  // one byte more tells a longer datagram apart
    asio::ip::udp::endpoint sender_;
};

// Sends one wake-up datagram to `address`:`port` from a fresh non-blocking
// socket. Errors are ignored: a lost wake-up costs only the rescan delay.
void send_wake_up(const std::string& address, std::uint16_t port, WakeUpKind kind);

// To every master of the cluster, at its config/nodes address and WakePort.
void wake_up_masters(const ClusterConfig& config, WakeUpKind kind);

// Where a program that waits for one answer (lobosq) hears its "look now":
// a non-blocking UDP socket on a port the kernel chooses, on every address,
// and the address of this host that the senders reach it at: the source
// address of a route to the first of `senders` that has one (a UDP
// connect sends nothing). Plain descriptors: lobosq has no io_context.
class WakeUpInbox {
public:
    WakeUpInbox(const std::vector<std::string>& senders, std::uint16_t port);
    ~WakeUpInbox();
    WakeUpInbox(const WakeUpInbox&) = delete;
    WakeUpInbox& operator=(const WakeUpInbox&) = delete;

    int fd() const { return fd_; }  // -1 when it cannot listen
    // None when it cannot listen or no sender has a route here.
    const std::optional<WakeUpAddress>& address() const { return address_; }
    // Reads what has arrived (a bounded number of datagrams); whether one was a wake-up of `kind`.
    bool take(WakeUpKind kind);

private:
    int fd_ = -1;
    std::optional<WakeUpAddress> address_;
};

}  // namespace lobos
