#include "pulse/daemon/pulse_daemon.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>
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
// node_status is rewritten at least this often, so that its Date tells
// readers the primary is alive.
constexpr auto refresh_interval = std::chrono::seconds(1);
// node_detail.json is rewritten at most every second, and less often in a
// large cluster: at 10,000 hosts it is 12 MB, some 50 ms of a core to format
// and write (on the detail writer's thread, so no datagram waits for it),
// which every second would be half of the master's whole budget.
std::chrono::steady_clock::duration detail_interval(std::size_t hosts) {
    return std::max<std::chrono::steady_clock::duration>(std::chrono::seconds(1),
                                                         std::chrono::microseconds(500) * hosts);
}
// node_status is written at most this often, so that a burst of changes costs a few writes.
constexpr auto min_write_interval = std::chrono::milliseconds(20);
// A socket that had at least busy_batch datagrams waiting is read again
// after busy_pause instead of when the next one arrives: a master hearing
// 10,000 hosts would otherwise wake a thousand times a second for ten
// datagrams each. The socket's buffer holds seconds of them; a node's death
// is not decided late, because the deadline timer reads every socket first.
// A datagram may so be taken as heard up to busy_pause late: a node's
// deadline moves by as much, a thousandth of any sensible NodeTimeOut.
constexpr int busy_batch = 8;
constexpr auto busy_pause = std::chrono::milliseconds(2);
// A status write that found the lease lock busy is tried again this soon.
constexpr auto write_retry = std::chrono::milliseconds(20);

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
      admission_(config, self),
      hearing_(config, self),
      metrics_(config.pulse.disks),
      started_(now()),
      signals_(io_, SIGINT, SIGTERM),
      heartbeat_timer_(io_),
      deadline_timer_(io_),
      retry_timer_(io_),
      write_timer_(io_),
      election_timer_(io_) {
    open_sockets();
    if (self_.is_master()) {
        std::filesystem::create_directories(paths_.root);
        health_.emplace(config_, started_);
        lease_.emplace(paths_.root / "master.lease", self_.name,
                       std::chrono::duration_cast<std::chrono::milliseconds>(config_.pulse.master_timeout));
        writer_.emplace(paths_.root, std::move(audit_file));
        detail_writer_.emplace(
            *writer_, lease_->file(), self_.name,
            std::chrono::duration_cast<std::chrono::milliseconds>(config_.pulse.master_timeout));
    }
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
        if (epoch_ && lease_) lease_->release();  // let the next master take over at once
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
    if (health_) note_wakeup(t);
    bool news = false;
    int read = 0;
    for (int b = 0; b < max_batches; ++b) {
        const int got = batch_.receive(r.socket.native_handle());
        for (int i = 0; i < got; ++i) news = on_datagram(batch_.datagram(i), batch_.from(i), t) || news;
        read += got;
        if (got < ReceiveBatch::capacity) break;  // nothing more waiting
    }
    if (news && health_) after_news(now());
    return read;
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
    if (health_)
        health_->on_datagram(std::make_shared<const HeartbeatReport>(std::move(*decoded.report)), self_.id,
                             t);
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
    std::cerr << "pulse[" << self_.name << "]: dropped " << drops_since_log_[name] << " datagram(s): " << name
              << " (last from " << address << ":" << ntohs(from.sin_port) << ")\n";
    drops_since_log_[name] = 0;
}

void PulseDaemon::note_wakeup(Instant t) {
    // The heartbeat timer wakes the loop every HeartBeat; a longer gap means
    // this process was stopped or starved and heard nothing meanwhile.
    const auto expected = to_steady(config_.pulse.heartbeat);
    if (last_wakeup_ && t.mono - *last_wakeup_ > 2 * expected) {
        const auto stalled = t.mono - *last_wakeup_ - expected;
        health_->suspend(stalled);
        std::cerr << "pulse[" << self_.name << "]: this master stalled for "
                  << std::chrono::duration<double>(stalled).count() << " s; deadlines moved on by as much\n";
    }
    last_wakeup_ = t.mono;
}

void PulseDaemon::do_heartbeat() {
    const Instant t = now();
    if (health_) note_wakeup(t);
    send_heartbeat(t);
    if (health_) {
        elect(t);
        after_news(t);
        // Half a heartbeat of slack: last_write_ is when the last write ran, a
        // little after its heartbeat, and an exact comparison would skip every other one.
        if (epoch_ && t.mono - last_write_ >= refresh_interval - to_steady(config_.pulse.heartbeat) / 2) {
            status_dirty_ = true;
            schedule_write();
        }
    }
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
    for (const std::string& message : metrics_.take_messages())
        std::cerr << "pulse[" << self_.name << "]: " << message << "\n";
    const auto horizon = to_steady(std::max(config_.pulse.node_timeout, config_.pulse.link_timeout)) * 2;
    report.links = hearing_.report(t.mono, horizon);
    report.primary_epoch = epoch_.value_or(0);

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
    if (health_) {
        // A master hears itself: its own node line and measurements come from here.
        report.channel = report_channel;
        health_->on_datagram(report, self_.id, t);
    }
}

void PulseDaemon::after_news(Instant t) {
    std::vector<HealthChange> changes = health_->advance(t);
    bool master_changed = false;
    if (!changes.empty()) {
        status_dirty_ = true;
        for (const HealthChange& c : changes) {
            pending_log_.push_back(log_line(c.at, c.reason));
            master_changed =
                master_changed || (c.kind == HealthChange::Kind::node && config_.nodes[c.index].is_master());
        }
        if (epoch_) schedule_write();
    }
    arm_deadline();
    // A master going down or up may change who is primary: decide now, not at the next heartbeat.
    if (master_changed) elect(t);
}

void PulseDaemon::arm_deadline() {
    auto next = health_->next_deadline();
    if (!next) return;  // a timer still armed fires and finds nothing to do
    // A timer armed to fire no later than needed is left as it is: moving it
    // costs a system call, and after every batch of datagrams the earliest
    // queued time moves on a little. At worst it fires early, and advance()
    // then moves what it finds to its real deadline.
    if (deadline_armed_ && deadline_timer_.expiry() <= *next) return;
    deadline_armed_ = true;
    deadline_timer_.expires_at(*next);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // moved earlier: the new wait owns deadline_armed_
        deadline_armed_ = false;
        // Datagrams that came before the deadline may still be waiting in a
        // socket (the loop runs ready handlers in no set order): read them
        // first, so that a node heard in time is not declared down.
        for (auto& [address, r] : unicast_) drain(*r);
        for (auto& r : multicast_) drain(*r);
        const Instant t = now();
        note_wakeup(t);
        after_news(t);
    });
}

void PulseDaemon::elect(Instant t) {
    // The primary is the lowest rank that is up. A master that has just
    // started first waits MasterTimeOut to hear the masters ranked above it.
    const auto master_timeout = to_steady(config_.pulse.master_timeout);
    std::string silent_master;
    bool lower_rank_heard = false;
    for (const Node* m : config_.masters_by_rank()) {
        if (m->master_rank() >= self_.master_rank()) break;
        auto heard = health_->last_heard(m->id);
        if (heard && t.mono - *heard < master_timeout) {
            lower_rank_heard = true;
            silent_master.clear();
            break;
        }
        if (silent_master.empty()) silent_master = m->name;
    }
    const bool settling = t.mono - started_.mono < master_timeout && !silent_master.empty();
    if (lower_rank_heard || settling) {
        if (epoch_) step_down("a master of lower rank is heard again", t);
        return;
    }
    PrimaryLease::Claim claim = lease_->claim(t.wall);
    if (claim.outcome == PrimaryLease::Outcome::held) {
        if (epoch_ != claim.epoch) take_over(claim, t);
    } else if (claim.outcome == PrimaryLease::Outcome::taken_by_other) {
        if (epoch_) {
            epoch_.reset();
            pending_log_.clear();
            std::cerr << "pulse[" << self_.name << "]: no longer primary: the lease is held by "
                      << (claim.previous ? claim.previous->holder : "another master") << "\n";
        }
        // The silent primary's lease runs out a little after it went quiet: try again right then.
        if (claim.previous) {
            const auto expires = WallTime(std::chrono::milliseconds(claim.previous->expires_unix_ms));
            election_timer_.expires_at(
                t.mono + std::chrono::duration_cast<std::chrono::steady_clock::duration>(expires - t.wall) +
                std::chrono::milliseconds(1));
            election_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (ec) return;
                const Instant now_ = now();
                elect(now_);
                after_news(now_);
            });
        }
    }
}

void PulseDaemon::take_over(const PrimaryLease::Claim& claim, Instant t) {
    epoch_ = claim.epoch;
    std::vector<std::string> lines;
    std::string how = "primary master (epoch " + std::to_string(claim.epoch) + ")";
    if (claim.previous && claim.previous->holder != "-" && claim.previous->holder != self_.name)
        how += ": took over from " + claim.previous->holder;
    // What changed while no one (or the previous primary) wrote: every state
    // this master holds that node_status does not show yet, at its own time.
    if (auto shown = writer_->read_node_status(t.wall)) {
        std::map<std::string, bool> shown_state;
        for (const NodeState& n : shown->nodes) shown_state[n.name] = n.up;
        for (const LinkState& l : shown->links) shown_state["link " + l.name1 + " " + l.name2] = l.up;
        for (const HealthChange& c : health_->latest_changes()) {
            auto it = shown_state.find(c.subject);
            if (it == shown_state.end() || it->second != c.up) lines.push_back(log_line(c.at, c.reason));
        }
    }
    lines.push_back(log_line(t.wall, self_.name + " " + how));
    pending_log_ = std::move(lines);  // older pending lines are covered by the reconciliation
    status_dirty_ = true;
    std::cerr << "pulse[" << self_.name << "]: " << how << "\n";
    schedule_write();
}

void PulseDaemon::step_down(const std::string& why, Instant) {
    lease_->release();
    epoch_.reset();
    pending_log_.clear();
    std::cerr << "pulse[" << self_.name << "]: stepping down as primary: " << why << "\n";
}

void PulseDaemon::schedule_write() {
    if (write_scheduled_) return;
    write_scheduled_ = true;
    // A burst of changes (a cluster starting, a hub failing) becomes one
    // write per min_write_interval rather than one per datagram; a lone
    // change is written at once.
    const auto due = last_write_ + min_write_interval;
    write_timer_.expires_at(std::max(due, std::chrono::steady_clock::now()));
    write_timer_.async_wait([this](const boost::system::error_code& ec) {
        write_scheduled_ = false;
        if (!ec) write_status();
    });
}

void PulseDaemon::write_status() {
    if (!epoch_ || !status_dirty_) return;
    const Instant t = now();
    last_write_ = t.mono;
    NodeStatus status = health_->status(t.wall);
    bool written = false;
    try {
        StagedFile staged = writer_->stage_node_status(status);
        std::int64_t start_ns = 0, end_ns = 0;
        // Under the lock only the log append and the rename: a reader woken
        // by the rename finds the lock already free or about to be.
        written = lease_->while_held(*epoch_, std::chrono::system_clock::now(), [&] {
            start_ns = wall_clock_ns();
            writer_->append_log(pending_log_);
            staged.publish();
            end_ns = wall_clock_ns();
        });
        if (written) {
            sync_parent_directory(writer_->node_status_path());
            writer_->audit(self_.name, *epoch_, start_ns, end_ns);
        }
    } catch (const std::exception& e) {
        std::cerr << "pulse[" << self_.name << "]: cannot write status files: " << e.what() << "\n";
    }
    if (written) {
        pending_log_.clear();
        status_dirty_ = false;
        // node_detail.json goes to its own thread, from a snapshot that
        // shares the reports; if the last one is still being written this
        // one is skipped, and the next write offers a fresher one.
        const bool detail_due = t.mono - last_detail_ >= detail_interval(config_.nodes.size()) -
                                                             to_steady(config_.pulse.heartbeat) / 2;
        if (detail_due && detail_writer_->submit({health_->shared_details(), std::move(status.links),
                                                  dropped_, t.wall, self_.name, *epoch_}))
            last_detail_ = t.mono;
        return;
    }
    // Busy lock: try again shortly. Lost lease: the next election notices.
    retry_timer_.expires_after(write_retry);
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) write_status();
    });
}

}  // namespace lobos
