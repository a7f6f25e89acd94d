#include "lobosq/queue_daemon/queue_daemon.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <system_error>

#include "lobosq/job/node_orders.hpp"
#include "share/io/shared_directory.hpp"

namespace lobos {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// job_status is rewritten at least once a second (its Act Time moves on).
constexpr auto status_period = 1s;
// A round that failed on an I/O error is tried again this much later, not
// at once: a full disk does not make the daemon spin.
constexpr auto retry_after_error = 250ms;

std::chrono::milliseconds to_ms(Seconds s) {
    return std::chrono::milliseconds(static_cast<long long>(s.count() * 1000));
}

// Under `lock_file`: the other master's daemon and the node's runner may be
// making the same directory at this moment (share/io/shared_directory.hpp).
void make_directory(const fs::path& dir, mode_t mode, const fs::path& lock_file) {
    std::error_code ec;
    make_shared_directories(dir, lock_file, ec);
    if (ec) throw std::system_error(ec, "cannot create " + dir.string());
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 07777) != mode && st.st_uid == ::geteuid())
        ::chmod(dir.c_str(), mode);
}

}  // namespace

QueueDaemon::QueueDaemon(const ClusterConfig& config, const ClusterPaths& paths, const Node& self,
                         const PlacementPolicyKind& policy, DaemonLog& log)
    : config_(config),
      paths_(paths),
      self_(self),
      log_(log),
      store_(paths.queue_dir(), paths.config_dir / "nodes"),
      batch_(store_, log),
      mailbox_(paths_, config.pulse.cancel_grace, log),
      cluster_(config, paths_, policy, log),
      publisher_(paths_, store_.answers_dir(), log),
      intake_(paths_.spool(), store_.answers_dir(), publisher_, log),
      signals_(io_, SIGINT, SIGTERM),
      watch_(io_, [this](const std::vector<DirectoryWatch::Event>& events) { on_files(events); }),
      wake_ups_(io_, self.ip, config.pulse.wake_port, log, [this](WakeUpKind kind) { on_wake_up(kind); }),
      lease_timer_(io_),
      rescan_timer_(io_),
      status_timer_(io_),
      work_timer_(io_),
      sync_timer_(io_),
      lease_(paths.queue_lease(), self.name, to_ms(config.pulse.master_timeout)) {
    // The spool is written by every user and sticky, so that users cannot
    // remove each other's files: the owner of a file there is its sender.
    make_directory(paths_.spool(), 01777, paths_.config_dir / "nodes");
    watch_.add(paths_.spool());
    watch_.add(paths_.root);  // node_status and node_detail.json are renamed into place here
    for (const Node& n : config_.nodes) {
        if (!n.is_compute()) continue;
        compute_nodes_.push_back(n.name);
        make_directory(paths_.node_dir(n.name), 0711, paths_.config_dir / "nodes");
        watch_.add(paths_.node_dir(n.name));
    }
}

void QueueDaemon::run() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        log_.info("stopping");
        if (acting_) {
            lease_.while_held(acting_->epoch(), JobClock::now(), [this] { batch_.make_durable(); });
            // Let another master's daemon take over at once; if the lease
            // cannot be written, it takes over when the lease expires.
            if (auto error = lease_.release()) log_.warning(error->text() + ": the lease expires by itself");
        }
        io_.stop();
    });
    watch_.start();
    wake_ups_.start();
    // A master of lower rank gets the first chance at the lease when all
    // start together: the others wait a heartbeat per rank above the first.
    lease_timer_.expires_after(to_ms(config_.pulse.heartbeat) * (self_.master_rank() - 1));
    lease_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_lease();
    });
    do_rescan();
    do_status();
    do_sync();
    io_.run();
}

void QueueDaemon::do_lease() {
    PrimaryLease::Claim claim = lease_.claim(JobClock::now());
    switch (claim.outcome) {
        case PrimaryLease::Outcome::held:
            if (!acting_ || acting_->epoch() != claim.epoch) take_over(claim.epoch);
            break;
        case PrimaryLease::Outcome::taken_by_other:
            if (acting_)
                stand_by("the queue lease is held by " +
                         (claim.previous ? claim.previous->holder : "another master"));
            break;
        case PrimaryLease::Outcome::lock_busy:
            break;
        case PrimaryLease::Outcome::io_error:
            // Whether this daemon still holds the lease is unknown: it keeps
            // acting, and work() acts only where while_held finds the epoch
            // still its own. The next heartbeat claims again.
            log_.limited(LogLevel::warning, "lease",
                         claim.error_text + ": the queue lease is claimed again at the next heartbeat");
            break;
    }
    // Renew at every heartbeat; a standby tries as often, so it takes over
    // within a heartbeat of the lease running out.
    lease_timer_.expires_after(to_ms(config_.pulse.heartbeat));
    lease_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_lease();
    });
}

void QueueDaemon::take_over(std::uint64_t epoch) {
    acting_.reset();
    batch_.clear();
    try {
        acting_.emplace(QueueParts{config_, self_.name, compute_nodes_, store_, batch_, mailbox_, cluster_,
                                   intake_, publisher_, log_},
                        epoch);
    } catch (const std::system_error& e) {
        // The records could not be read whole: the next heartbeat tries again.
        acting_.reset();
        log_.limited(LogLevel::error, "take over", std::string(e.what()) + ": not acting for the queue yet");
        return;
    }
    // Everything may have changed while no daemon acted.
    cluster_.forget_status();
    everything_changed();
    publisher_.changed();
    schedule_work();
}

void QueueDaemon::stand_by(const std::string& why) {
    log_.info("standing by: " + why);
    acting_.reset();
    // What waited for a sync is done by whoever acts next, from the files.
    batch_.clear();
}

void QueueDaemon::everything_changed() {
    intake_.changed();
    cluster_.status_changed();
    cluster_.detail_changed();
    for (const std::string& node : compute_nodes_) mailbox_.changed(node);
}

void QueueDaemon::on_files(const std::vector<DirectoryWatch::Event>& events) {
    std::set<std::string> order_nodes;
    for (const DirectoryWatch::Event& e : events) {
        if (e.directory.empty() || (e.mask & IN_Q_OVERFLOW)) {
            everything_changed();
        } else if (e.directory == paths_.spool()) {
            intake_.changed();  // also when a temporary goes: a linked submission is ready
        } else if (e.directory == paths_.root) {
            if (e.name == paths_.node_status().filename()) cluster_.status_changed();
            if (e.name == paths_.node_detail().filename()) cluster_.detail_changed();
        } else if (e.name.ends_with(state_suffix)) {
            mailbox_.changed(e.directory.filename().string());
        } else if ((e.mask & (IN_MOVED_TO | IN_CLOSE_WRITE)) &&
                   (e.name.ends_with(start_suffix) || e.name.ends_with(cancel_suffix))) {
            // This daemon's own start or cancel order, back through the
            // watch: the node's runner, on another host, sees it only at its
            // rescan unless told to look now.
            order_nodes.insert(e.directory.filename().string());
        }
    }
    for (const std::string& node : order_nodes)
        if (const Node* n = config_.find_node(node))
            send_wake_up(n->ip, config_.pulse.wake_port, WakeUpKind::orders);
    if (intake_.has_changes() || cluster_.has_changes() || mailbox_.has_changes()) schedule_work();
}

void QueueDaemon::on_wake_up(WakeUpKind kind) {
    switch (kind) {
        case WakeUpKind::spool:
            intake_.changed();
            break;
        case WakeUpKind::reports:
            // The wake-up does not say which node (it carries nothing to
            // trust): every node's reports are read, as at a rescan.
            for (const std::string& node : compute_nodes_) mailbox_.changed(node);
            break;
        case WakeUpKind::orders:
        case WakeUpKind::answer:
            return;  // a runner's or a lobosq's business, not a master's
    }
    schedule_work();
}

void QueueDaemon::do_rescan() {
    // inotify does not see files written by other machines (NFS): look at
    // everything once a second anyway.
    everything_changed();
    schedule_work();
    rescan_timer_.expires_after(1s);
    rescan_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_rescan();
    });
}

void QueueDaemon::do_status() {
    publisher_.changed();  // Act Time moves on
    schedule_work();
    status_timer_.expires_after(status_period);
    status_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_status();
    });
}

void QueueDaemon::do_sync() {
    sync_due_ = true;
    schedule_work();
    sync_timer_.expires_after(1s);
    sync_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_sync();
    });
}

void QueueDaemon::schedule_work(std::chrono::milliseconds delay) {
    // A later round already planned (a status write held back) must not
    // delay news that wants an answer now: the earlier moment wins.
    const auto due = std::chrono::steady_clock::now() + delay;
    if (work_scheduled_ && work_due_ <= due) return;
    work_scheduled_ = true;
    work_due_ = due;
    work_timer_.expires_at(due);  // cancels a later wait
    work_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // replaced by an earlier one
        work_scheduled_ = false;
        work();
    });
}

void QueueDaemon::work() {
    if (!acting_) return;
    bool more = false;
    const PrimaryLease::Write round = lease_.while_held(acting_->epoch(), JobClock::now(), [&] {
        more = acting_->round(JobClock::now(), sync_due_);
        sync_due_ = false;
    });
    if (round.error) {
        // The lease file, or a step of the round, failed (a stale handle, a
        // full disk): what was not done is done at the next pass.
        log_.limited(LogLevel::error, "round", round.error->text() + ": tried again");
        schedule_work(retry_after_error);
        return;
    }
    if (round.ran && acting_ && acting_->view_outdated()) {
        take_over(acting_->epoch());  // reads the records again
        return;
    }
    if (!round.ran) {
        // The lock is busy (the other master's daemon is claiming) or the
        // lease is gone: the lease timer finds out which; try again shortly.
        schedule_work(10ms);
        return;
    }
    if (more) schedule_work(100ms);  // a job_status write held back, or a spool batch left over
}

}  // namespace lobos
