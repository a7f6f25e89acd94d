#include "pulse/daemon/master_role.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "pulse/health/primary_choice.hpp"

namespace lobos {
namespace {

std::chrono::steady_clock::duration to_steady(Seconds s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(s);
}

std::chrono::milliseconds to_ms(Seconds s) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(s);
}

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
// A status write that found the lease lock busy is tried again this soon.
constexpr auto write_retry = std::chrono::milliseconds(20);

ClaimResult claim_result(PrimaryLease::Outcome outcome) {
    switch (outcome) {
        case PrimaryLease::Outcome::held:
            return ClaimResult::held;
        case PrimaryLease::Outcome::taken_by_other:
            return ClaimResult::taken_by_other;
        case PrimaryLease::Outcome::lock_busy:
            return ClaimResult::lock_busy;
        case PrimaryLease::Outcome::io_error:
            return ClaimResult::io_error;
    }
    return ClaimResult::io_error;
}

const std::filesystem::path& created(const std::filesystem::path& root) {
    std::filesystem::create_directories(root);
    return root;
}

}  // namespace

MasterRole::MasterRole(asio::io_context& io, const ClusterConfig& config, const ClusterPaths& paths,
                       const Node& self, Instant started, DaemonLog& log,
                       std::optional<std::filesystem::path> audit_file, std::function<void()> drain_sockets,
                       const DropCounters& dropped)
    : io_(io),
      config_(config),
      self_(self),
      started_(started),
      log_(log),
      drain_sockets_(std::move(drain_sockets)),
      dropped_(dropped),
      health_(config, started),
      lease_(created(paths.root) / "master.lease", self.name, to_ms(config.pulse.master_timeout)),
      writer_(paths.root, std::move(audit_file)),
      detail_writer_(writer_, lease_.file(), self.name, to_ms(config.pulse.master_timeout), log),
      deadline_timer_(io),
      retry_timer_(io),
      write_timer_(io),
      election_timer_(io) {}

Instant MasterRole::now() const {
    return {std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
}

void MasterRole::note_wakeup(Instant t) {
    // The heartbeat timer wakes the loop every HeartBeat; a longer gap means
    // this process was stopped or starved and heard nothing meanwhile.
    const auto expected = to_steady(config_.pulse.heartbeat);
    if (last_wakeup_ && t.mono - *last_wakeup_ > 2 * expected) {
        const auto stalled = t.mono - *last_wakeup_ - expected;
        health_.suspend(stalled);
        log_.warning("this master stalled for " +
                     std::to_string(std::chrono::duration<double>(stalled).count()) +
                     " s; deadlines moved on by as much");
    }
    last_wakeup_ = t.mono;
}

void MasterRole::on_heartbeat(Instant t) {
    elect(t);
    after_news(t);
    // Half a heartbeat of slack: last_write_ is when the last write ran, a
    // little after its heartbeat, and an exact comparison would skip every
    // other one. A write that failed is tried again here too.
    if (epoch_ && (status_dirty_ ||
                   t.mono - last_write_ >= refresh_interval - to_steady(config_.pulse.heartbeat) / 2)) {
        status_dirty_ = true;
        schedule_write();
    }
}

void MasterRole::after_news(Instant t) {
    std::vector<HealthChange> changes = health_.advance(t);
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

void MasterRole::arm_deadline() {
    auto next = health_.next_deadline();
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
        drain_sockets_();
        const Instant t = now();
        note_wakeup(t);
        after_news(t);
    });
}

ClusterHearing MasterRole::hearing(Instant t) const {
    const auto horizon =
        hearing_horizon(to_steady(config_.pulse.heartbeat), to_steady(config_.pulse.node_timeout));
    ClusterHearing hearing;
    for (const Node& n : config_.nodes) {
        if (n.id == self_.id || n.is_hub()) continue;
        if (n.is_master()) ++hearing.other_masters;
        auto heard = health_.last_heard(n.id);
        if (heard && t.mono - *heard < horizon) ++hearing.others_heard;
    }
    return hearing;
}

void MasterRole::elect(Instant t) {
    const auto master_timeout = to_steady(config_.pulse.master_timeout);
    std::vector<MasterHeard> ranked_above;
    for (const Node* m : config_.masters_by_rank()) {
        if (m->master_rank() >= self_.master_rank()) break;
        auto heard = health_.last_heard(m->id);
        ranked_above.push_back({m->name, heard && t.mono - *heard < master_timeout});
    }
    const ClusterHearing heard = hearing(t);
    // Silence heard while cut off is no evidence: what this master knows of
    // the cluster counts from when it hears someone again.
    if (!hears_enough(heard)) health_.restart_listening(t);
    const PrimaryChoice choice =
        choose_primary(ranked_above, heard, t.mono - started_.mono, master_timeout, epoch_.has_value());
    if (choice.action == PrimaryChoice::Action::stand_down) return step_down(choice.reason);
    if (choice.action == PrimaryChoice::Action::wait) return;

    PrimaryLease::Claim claim = lease_.claim(t.wall);
    switch (after_claim(claim_result(claim.outcome), claim.epoch, epoch_)) {
        case LeaseStep::take_over:
            return take_over(claim, t);
        case LeaseStep::renewed:
            return;
        case LeaseStep::lost:
            epoch_.reset();
            pending_log_.clear();
            log_.warning("no longer primary: the lease is held by " +
                         (claim.previous ? claim.previous->holder : std::string("another master")));
            [[fallthrough]];
        case LeaseStep::wait_for_expiry:
            if (claim.previous) wait_for_expiry(*claim.previous, t);
            return;
        case LeaseStep::retry:
            if (claim.outcome == PrimaryLease::Outcome::io_error)
                log_.limited(LogLevel::error, "lease", "cannot claim the lease: " + claim.error_text);
            return;
    }
}

void MasterRole::wait_for_expiry(const LeaseRecord& holder, Instant t) {
    // The silent primary's lease runs out a little after it went quiet: try again right then.
    const auto expires = WallTime(std::chrono::milliseconds(holder.expires_unix_ms));
    election_timer_.expires_at(
        t.mono + std::chrono::duration_cast<std::chrono::steady_clock::duration>(expires - t.wall) +
        std::chrono::milliseconds(1));
    election_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        const Instant t = now();
        elect(t);
        after_news(t);
    });
}

void MasterRole::take_over(const PrimaryLease::Claim& claim, Instant t) {
    epoch_ = claim.epoch;
    std::vector<std::string> lines;
    std::string how = "primary master (epoch " + std::to_string(claim.epoch) + ")";
    if (claim.previous && claim.previous->holder != "-" && claim.previous->holder != self_.name)
        how += ": took over from " + claim.previous->holder;
    awaiting_shown_ = !reconcile_with_shown(t, lines);
    lines.push_back(log_line(t.wall, self_.name + " " + how));
    pending_log_ = std::move(lines);  // older pending lines are covered by the reconciliation
    status_dirty_ = true;
    log_.info(how);
    schedule_write();
}

bool MasterRole::reconcile_with_shown(Instant t, std::vector<std::string>& lines) {
    std::optional<NodeStatus> shown;
    try {
        shown = writer_.read_node_status(t.wall);
    } catch (const std::exception& e) {
        log_.limited(LogLevel::error, "read status", std::string("cannot read node_status: ") + e.what());
        return false;
    }
    // None yet (or not readable as one): nothing to keep, and every change is news.
    if (!shown) shown.emplace();
    // What this master has not heard since it started listening it has not
    // timed out either: it keeps what node_status shows until it has.
    health_.adopt_shown(*shown, t);
    // What changed while no one (or the previous primary) wrote: every state
    // this master holds that node_status does not show yet, at its own time.
    std::map<std::string, bool> shown_state;
    for (const NodeState& n : shown->nodes) shown_state[n.name] = n.up;
    for (const LinkState& l : shown->links) shown_state["link " + l.name1 + " " + l.name2] = l.up;
    for (const HealthChange& c : health_.latest_changes()) {
        auto it = shown_state.find(c.subject);
        if (it == shown_state.end() || it->second != c.up) lines.push_back(log_line(c.at, c.reason));
    }
    return true;
}

void MasterRole::step_down(const std::string& why) {
    if (auto error = lease_.release())
        log_.limited(LogLevel::error, "lease", "cannot release the lease: " + error->text());
    epoch_.reset();
    pending_log_.clear();
    log_.info("stepping down as primary: " + why);
}

void MasterRole::release_lease() {
    if (!epoch_) return;
    if (auto error = lease_.release()) log_.error("cannot release the lease: " + error->text());
}

void MasterRole::schedule_write() {
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

void MasterRole::write_status() {
    if (!epoch_ || !status_dirty_) return;
    const Instant t = now();
    // A primary that hears no one writes nothing, not even a node it has
    // just timed out: it may be the one cut off. Checked at every write, not
    // only every heartbeat, so that the nodes it stops hearing when cut off
    // (which time out up to a heartbeat before the last one) are never
    // written down. A stall first moves the times heard on.
    note_wakeup(t);
    if (!hears_enough(hearing(t))) {
        health_.restart_listening(t);
        return step_down("it hears no other host");
    }
    if (awaiting_shown_) {
        // node_status could not be read at take-over: until it can, or this
        // master has listened long enough for its own states, write nothing
        // rather than states it has not timed out.
        std::vector<std::string> lines;
        if (reconcile_with_shown(t, lines)) {
            awaiting_shown_ = false;
            pending_log_.insert(pending_log_.begin(), lines.begin(), lines.end());
        } else if (!health_.heard_long_enough(t)) {
            return;  // the next heartbeat tries again
        } else {
            awaiting_shown_ = false;
        }
    }
    last_write_ = t.mono;
    NodeStatus status = health_.status(t.wall);
    FileResult<StagedFile> staged = writer_.stage_node_status(status);
    if (!staged) {
        // A full disk or a stale handle: the next heartbeat tries again.
        log_.limited(LogLevel::error, "status", "cannot write status files: " + staged.error().text());
        return;
    }
    std::int64_t start_ns = 0, end_ns = 0;
    // Under the lock only the log append and the rename: a reader woken
    // by the rename finds the lock already free or about to be.
    PrimaryLease::Write written = lease_.while_held(*epoch_, std::chrono::system_clock::now(), [&] {
        start_ns = wall_clock_ns();
        writer_.append_log(pending_log_);
        staged->publish();
        end_ns = wall_clock_ns();
    });
    if (written.error) {
        log_.limited(LogLevel::error, "status", "cannot write status files: " + written.error->text());
        return;
    }
    if (!written.ran) return retry_write();  // busy lock; a lost lease the next election notices
    if (auto synced = try_sync_parent_directory(writer_.node_status_path()); !synced)
        log_.limited(LogLevel::warning, "status sync", synced.error().text());
    writer_.audit(self_.name, *epoch_, start_ns, end_ns);
    pending_log_.clear();
    status_dirty_ = false;
    // node_detail.json goes to its own thread, from a snapshot that shares
    // the reports; if the last one is still being written this one is
    // skipped, and the next write offers a fresher one.
    const bool detail_due = t.mono - last_detail_ >=
                            detail_interval(config_.nodes.size()) - to_steady(config_.pulse.heartbeat) / 2;
    if (detail_due && detail_writer_.submit({health_.shared_details(), std::move(status.links), dropped_,
                                             t.wall, self_.name, *epoch_, health_.listening_since().wall}))
        last_detail_ = t.mono;
}

void MasterRole::retry_write() {
    if (retry_armed_) return;
    retry_armed_ = true;
    retry_timer_.expires_after(write_retry);
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
        retry_armed_ = false;
        if (!ec) write_status();
    });
}

}  // namespace lobos
