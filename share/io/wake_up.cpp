#include "share/io/wake_up.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace lobos {

using udp = asio::ip::udp;

WakeUpListener::WakeUpListener(asio::io_context& io, const std::string& address, std::uint16_t port,
                               DaemonLog& log, Handler handler, TokenBucket limit)
    : socket_(io),
      pause_(io),
      where_(address + ":" + std::to_string(port)),
      log_(log),
      handler_(std::move(handler)),
      limit_(limit) {
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address_v4(address, ec);
    if (!ec) socket_.open(udp::v4(), ec);
    // A restarted daemon binds again at once.
    if (!ec) socket_.set_option(udp::socket::reuse_address(true), ec);
    if (!ec) socket_.bind(udp::endpoint(ip, port), ec);
    if (ec) {
        // Wake-ups only save waiting for the rescan, so a daemon that cannot
        // listen for them (its address is on an interface of another
        // namespace, the port is taken) still runs, on the rescan alone.
        boost::system::error_code ignored;
        socket_.close(ignored);
        bind_error_ = "cannot bind the wake-up port UDP " + where_ + ": " + ec.message();
        log_.warning(bind_error_ + "; new work is found by the once-a-second rescan only");
        return;
    }
    where_ = address + ":" + std::to_string(this->port());
}

std::uint16_t WakeUpListener::port() const {
    boost::system::error_code ec;
    const auto local = socket_.local_endpoint(ec);
    return ec ? 0 : local.port();
}

void WakeUpListener::start() {
    if (socket_.is_open()) receive();
}

void WakeUpListener::receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), sender_, [this](const boost::system::error_code& ec, std::size_t size) {
            if (ec == asio::error::operation_aborted) return;  // the listener is going away
            if (!ec) {
                received(size);
                receive();
                return;
            }
            // No receive error ends the daemon: log it and listen again,
            // after a moment so that an error that repeats cannot spin.
            log_.limited(LogLevel::warning, "wake-up receive",
                         "wake-up port " + where_ + ": receive failed: " + ec.message() +
                             "; listening again (the rescan still finds new work)");
            pause_.expires_after(std::chrono::milliseconds(10));
            pause_.async_wait([this](const boost::system::error_code& wait) {
                if (wait != asio::error::operation_aborted) receive();
            });
        });
}

void WakeUpListener::received(std::size_t size) {
    const auto kind = parse_wake_up(std::string_view(buffer_, size));
    if (!kind) {
        ++counts_.malformed;
        log_.limited(LogLevel::warning, "wake-up malformed",
                     "wake-up port " + where_ + ": dropped a datagram that is no wake-up (" +
                         std::to_string(counts_.malformed) + " so far), from " +
                         sender_.address().to_string());
        return;
    }
    if (!limit_.take(TokenBucket::Clock::now())) {
        ++counts_.over_rate;
        log_.limited(LogLevel::warning, "wake-up rate",
                     "wake-up port " + where_ + ": over the rate limit, dropped " +
                         std::to_string(counts_.over_rate) + " so far (the rescan still finds the work)");
        return;
    }
    ++counts_.accepted;
    handler_(*kind);
}

void send_wake_up(const std::string& address, std::uint16_t port, WakeUpKind kind) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) return;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    const std::string_view text = wake_up_text(kind);
    [[maybe_unused]] const auto sent =
        ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::close(fd);
}

void wake_up_masters(const ClusterConfig& config, WakeUpKind kind) {
    for (const Node* master : config.masters_by_rank())
        send_wake_up(master->ip, config.pulse.wake_port, kind);
}

namespace {

// This host's address on the route to `host`:`port`, or none.
std::optional<std::string> source_address_toward(const std::string& host, std::uint16_t port) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &to.sin_addr) != 1) return std::nullopt;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in local{};
    socklen_t size = sizeof local;
    std::optional<std::string> found;
    char text[INET_ADDRSTRLEN];
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) == 0 &&
        local.sin_addr.s_addr != htonl(INADDR_ANY) &&
        ::inet_ntop(AF_INET, &local.sin_addr, text, sizeof text))
        found = text;
    ::close(fd);
    return found;
}

}  // namespace

WakeUpInbox::WakeUpInbox(const std::vector<std::string>& senders, std::uint16_t port) {
    std::optional<std::string> here;
    for (const std::string& sender : senders)
        if ((here = source_address_toward(sender, port))) break;
    if (!here) return;
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    sockaddr_in bound{};
    socklen_t size = sizeof bound;
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &size) != 0) {
        ::close(fd_);
        fd_ = -1;
        return;
    }
    address_ = WakeUpAddress{*here, ntohs(bound.sin_port)};
}

WakeUpInbox::~WakeUpInbox() {
    if (fd_ >= 0) ::close(fd_);
}

bool WakeUpInbox::take(WakeUpKind kind) {
    bool woken = false;
    char buffer[wake_up_max_size + 1];  // one byte more tells a longer datagram apart
    // Bounded, so that a flood of datagrams cannot keep the waiter here.
    for (int i = 0; fd_ >= 0 && i < 64; ++i) {
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n < 0) break;
        if (parse_wake_up(std::string_view(buffer, static_cast<std::size_t>(n))) == kind) woken = true;
    }
    return woken;
}

}  // namespace lobos
