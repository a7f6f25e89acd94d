#include "pulse/daemon/pulse_daemon.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <span>

#include "pulse/heartbeat/heartbeat_codec.hpp"

namespace lobos {
namespace {

using udp = asio::ip::udp;

std::chrono::steady_clock::duration to_steady(Seconds s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(s);
}

asio::ip::address_v4 v4(const std::string& text) { return asio::ip::make_address_v4(text); }

// Drops are logged at most once per reason in this interval, with a count.
constexpr auto drop_log_interval = std::chrono::seconds(10);
// A socket that had at least busy_batch datagrams waiting is read again
// after busy_pause instead of when the next one arrives: a master hearing
// 10,000 hosts would otherwise wake a thousand times a second for ten
// datagrams each. The socket's buffer holds seconds of them; a node's death
// is not decided late, because the deadline timer reads every socket first.
// A datagram may so be taken as heard up to busy_pause late: a node's
// deadline moves by as much, a thousandth of any sensible NodeTimeOut.
constexpr int busy_batch = 8;
constexpr auto busy_pause = std::chrono::milliseconds(2);
// A master receives every host's datagrams every heartbeat; the default
// buffer (208 KiB) holds about 16 ms of 10,000 hosts' reports, less than a
// status write can take. As root the limit of net.core.rmem_max does not
// apply (SO_RCVBUFFORCE); otherwise the kernel caps what is asked.
constexpr int receive_buffer_bytes = 8 << 20;

void enlarge_receive_buffer(udp::socket& socket) {
    const int bytes = receive_buffer_bytes;
    if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

}  // namespace

PulseDaemon::PulseDaemon(const ClusterConfig& config, const ClusterPaths& paths, NodeId self,
                         HeartbeatKey key, std::optional<std::filesystem::path> audit_file)
    : config_(config),
      paths_(paths),
      self_(*config.find_node(self)),
      key_(std::move(key)),
      log_("pulse", self_.name),
      admission_(config, self),
      hearing_(config, self),
      metrics_(config.pulse.disks),
      started_(now()),
      signals_(io_, SIGINT, SIGTERM),
      heartbeat_timer_(io_) {
    open_sockets();
    if (self_.is_master())
        master_ = std::make_unique<MasterRole>(
            io_, config_, paths_, self_, started_, log_, std::move(audit_file), [this] { drain_all(); },
            dropped_);
}

PulseDaemon::~PulseDaemon() = default;

Instant PulseDaemon::now() const {
    return {std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
}

udp::socket& PulseDaemon::unicast_socket(const std::string& address) {
    auto it = unicast_.find(address);
    if (it != unicast_.end()) return it->second->socket;
    auto r = std::make_unique<Receiver>(io_);
    udp::endpoint local(v4(address), config_.pulse.pulse_port);
    boost::system::error_code ec;
    r->socket.open(udp::v4(), ec);
    if (!ec) r->socket.set_option(udp::socket::reuse_address(true), ec);
    if (!ec) r->socket.bind(local, ec);
    if (ec)
        throw std::runtime_error("cannot bind UDP " + address + ":" +
                                 std::to_string(config_.pulse.pulse_port) + ": " + ec.message());
    enlarge_receive_buffer(r->socket);
    r->socket.non_blocking(true);
    // Multicast to a hub leaves from this address's interface (on loopback
    // nothing is sent unless the interface is named), once, and comes back
    // to the other members on this machine.
    r->socket.set_option(asio::ip::multicast::outbound_interface(v4(address)));
    r->socket.set_option(asio::ip::multicast::enable_loopback(true));
    r->socket.set_option(asio::ip::multicast::hops(1));
    auto& socket = r->socket;
    unicast_.emplace(address, std::move(r));
    return socket;
}

void PulseDaemon::open_sockets() {
    // The host's own address, and its end's address on each of its links.
    unicast_socket(self_.ip);
    for (LinkIndex i : hearing_.own_links()) {
        const Link& l = config_.links[i];
        unicast_socket(l.name1 == self_.name ? l.ip1 : l.ip2);
    }
    const auto group = v4(std::string(hub_multicast_group));
    for (LinkIndex i : hearing_.own_links()) {
        const Link& l = config_.links[i];
        if (l.kind != LinkKind::hub) continue;  // a hub link always has this host as name1
        const std::uint16_t port = config_.hub_port(l.name2);
        auto r = std::make_unique<Receiver>(io_);
        boost::system::error_code ec;
        r->socket.open(udp::v4(), ec);
        if (!ec) r->socket.set_option(udp::socket::reuse_address(true), ec);
        if (!ec) r->socket.bind(udp::endpoint(group, port), ec);
        if (!ec) enlarge_receive_buffer(r->socket);
        if (!ec) r->socket.non_blocking(true, ec);
        // Only this socket's own group membership, not every group any socket joined.
        int off = 0;
        if (!ec &&
            ::setsockopt(r->socket.native_handle(), IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof off) != 0)
            ec.assign(errno, boost::system::system_category());
        if (!ec) r->socket.set_option(asio::ip::multicast::join_group(group, v4(l.ip1)), ec);
        if (ec)
            throw std::runtime_error("cannot join " + std::string(hub_multicast_group) + ":" +
                                     std::to_string(port) + " (" + l.name2 + ") on " + l.ip1 + ": " +
                                     ec.message());
        multicast_.push_back(std::move(r));
        destinations_.push_back(
            {&unicast_socket(l.ip1), udp::endpoint(group, port), static_cast<std::uint32_t>(i)});
    }
    // Direct links (and master-master links): to the far end's address on the link.
    std::set<std::string> masters_reached;
    for (LinkIndex i : hearing_.own_links()) {
        const Link& l = config_.links[i];
        if (l.kind == LinkKind::hub) continue;
        const bool first = l.name1 == self_.name;
        const std::string& far_name = first ? l.name2 : l.name1;
        const std::string& far_ip = first ? l.ip2 : l.ip1;
        destinations_.push_back({&unicast_socket(first ? l.ip1 : l.ip2),
                                 udp::endpoint(v4(far_ip), config_.pulse.pulse_port),
                                 static_cast<std::uint32_t>(i)});
        const Node* far = config_.find_node(far_name);
        if (far && far->is_master()) masters_reached.insert(far_name);
    }
    // Reports to every master not already reached over a link of ours.
    for (const Node* m : config_.masters_by_rank()) {
        if (m->id == self_.id || masters_reached.count(m->name)) continue;
        destinations_.push_back(
            {&unicast_socket(self_.ip), udp::endpoint(v4(m->ip), config_.pulse.pulse_port), report_channel});
    }
}

void PulseDaemon::run() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        if (master_) master_->release_lease();  // let the next master take over at once
        io_.stop();
    });
    for (auto& [address, r] : unicast_) do_receive(*r);
    for (auto& r : multicast_) do_receive(*r);
    next_beat_ = std::chrono::steady_clock::now();
    do_heartbeat();
    io_.run();
}

void PulseDaemon::do_receive(Receiver& r) {
    r.socket.async_wait(udp::socket::wait_read, [this, &r](const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec && drain(r) >= busy_batch) return pause_receive(r);
        do_receive(r);
    });
}

void PulseDaemon::pause_receive(Receiver& r) {
    r.pause.expires_after(busy_pause);
    r.pause.async_wait([this, &r](const boost::system::error_code& ec) {
        if (ec) return;
        if (drain(r) >= busy_batch) return pause_receive(r);
        do_receive(r);
    });
}

int PulseDaemon::drain(Receiver& r) {
    // Every datagram waiting is read in one go (a master gets thousands a
    // second), a batch a system call, then the health state catches up once;
    // bounded, so that the other sockets and the timers get their turn.
    constexpr int max_batches = 4;
    const Instant t = now();
    if (master_) master_->note_wakeup(t);
    bool news = false;
    int read = 0;
    for (int b = 0; b < max_batches; ++b) {
        const int got = batch_.receive(r.socket.native_handle());
        for (int i = 0; i < got; ++i) news = on_datagram(batch_.datagram(i), batch_.from(i), t) || news;
        read += got;
        if (got < ReceiveBatch::capacity) break;  // nothing more waiting
    }
    if (news && master_) master_->after_news(now());
    return read;
}

void PulseDaemon::drain_all() {
    for (auto& [address, r] : unicast_) drain(*r);
    for (auto& r : multicast_) drain(*r);
}

bool PulseDaemon::on_datagram(std::span<const std::uint8_t> datagram, const sockaddr_in& from, Instant t) {
    DecodeResult decoded = decode_heartbeat(datagram, key_);
    if (!decoded.report) {
        count_drop(decoded.reason, from);
        return false;
    }
    const HeartbeatReport& report = *decoded.report;
    if (report.sender == self_.id) return false;  // our own multicast, looped back
    if (auto reason = admission_.admit(report, ntohl(from.sin_addr.s_addr))) {
        count_drop(*reason, from);
        return false;
    }
    hearing_.heard(report, t.mono);
    // The report is kept as the sender's newest, moved rather than copied.
    if (master_)
        master_->health().on_datagram(std::make_shared<const HeartbeatReport>(std::move(*decoded.report)),
                                      self_.id, t);
    return true;
}

void PulseDaemon::count_drop(DropReason reason, const sockaddr_in& from) {
    const std::string name(to_string(reason));
    ++dropped_[name];
    ++drops_since_log_[name];
    const auto t = std::chrono::steady_clock::now();
    auto& last = last_drop_log_[name];
    if (last != std::chrono::steady_clock::time_point{} && t - last < drop_log_interval) return;
    last = t;
    char address[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &from.sin_addr, address, sizeof address);
    log_.warning("dropped " + std::to_string(drops_since_log_[name]) + " datagram(s): " + name +
                 " (last from " + address + ":" + std::to_string(ntohs(from.sin_port)) + ")");
    drops_since_log_[name] = 0;
}

void PulseDaemon::do_heartbeat() {
    const Instant t = now();
    if (master_) master_->note_wakeup(t);
    send_heartbeat(t);
    if (master_) master_->on_heartbeat(t);
    const auto period = to_steady(config_.pulse.heartbeat);
    next_beat_ += period;
    // After a stall (SIGSTOP, a suspended VM) beat now rather than catch up in a burst.
    if (next_beat_ < t.mono) next_beat_ = t.mono + period;
    heartbeat_timer_.expires_at(next_beat_);
    heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_heartbeat();
    });
}

void PulseDaemon::send_heartbeat(Instant t) {
    HeartbeatReport report;
    report.sender = self_.id;
    report.sent_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.wall.time_since_epoch()).count();
    metrics_.fill(report);
    for (const std::string& message : metrics_.take_messages()) log_.warning(message);
    const auto horizon = to_steady(std::max(config_.pulse.node_timeout, config_.pulse.link_timeout)) * 2;
    report.links = hearing_.report(t.mono, horizon);
    report.primary_epoch = master_ ? master_->epoch_or_zero() : 0;

    // Sequence numbers follow the wall clock in microseconds (and at least
    // grow by one): they keep growing across restarts, and a forged number
    // from the future is overtaken within moments instead of silencing us.
    const auto wall_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(t.wall.time_since_epoch()).count());
    for (const Destination& d : destinations_) {
        report.channel = d.channel;
        sequence_ = std::max(sequence_ + 1, wall_us);
        report.sequence = sequence_;
        std::vector<std::uint8_t> datagram = encode_heartbeat(report, key_);
        boost::system::error_code ec;
        d.socket->send_to(asio::buffer(datagram), d.to, 0, ec);
        // A failed send (no route while a link is cut) is what the receivers
        // will notice as silence; nothing to do here.
    }
    if (master_) {
        // A master hears itself: its own node line and measurements come from here.
        report.channel = report_channel;
        master_->health().on_datagram(report, self_.id, t);
    }
}

}  // namespace lobos
