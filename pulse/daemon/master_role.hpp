#pragma once
// What a master's pulse does beyond sending heartbeats: it keeps the health
// of every node and link, takes part in choosing the primary (choose_primary
// decides; this object claims, renews and releases the lease), and while
// primary writes node_status, node.log and node_detail.json under the lease.
// No I/O error ends it: a lease or status write that fails is logged at a
// limited rate and tried again at the next heartbeat.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "pulse/daemon/detail_writer.hpp"
#include "pulse/daemon/status_writer.hpp"
#include "pulse/health/cluster_health.hpp"
#include "pulse/health/primary_choice.hpp"
#include "share/io/asio.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/daemon_log.hpp"
#include "share/io/primary_lease.hpp"

namespace lobos {

class MasterRole {
public:
    // `drain_sockets` reads every datagram waiting, before a deadline is
    // decided; `dropped` is the daemon's count of datagrams refused, shown
    // in node_detail.json. Throws at start-up when the cluster root or the
    // lease's lock file cannot be made.
    MasterRole(asio::io_context& io, const ClusterConfig& config, const ClusterPaths& paths, const Node& self,
               Instant started, DaemonLog& log, std::optional<std::filesystem::path> audit_file,
               std::function<void()> drain_sockets, const DropCounters& dropped);

    ClusterHealth& health() { return health_; }
    // The epoch held while primary, else 0 (sent in every heartbeat).
    std::uint64_t epoch_or_zero() const { return epoch_.value_or(0); }

    // Every heartbeat: choose the primary, renew the lease, refresh node_status.
    void on_heartbeat(Instant t);
    // After datagrams or a deadline changed what the health knows.
    void after_news(Instant t);
    // A wake-up of the loop; a gap of more than two heartbeats means this
    // process was stopped, and the deadlines move on by as much.
    void note_wakeup(Instant t);
    // At exit: let the next master take over at once.
    void release_lease();

private:
    void arm_deadline();
    void elect(Instant t);
    void wait_for_expiry(const LeaseRecord& holder, Instant t);
    void take_over(const PrimaryLease::Claim& claim, Instant t);
    // Reads node_status, adopts what it shows for what this master has not
    // heard itself, and adds to `lines` what changed that it does not show;
    // false when node_status could not be read.
    bool reconcile_with_shown(Instant t, std::vector<std::string>& lines);
    ClusterHearing hearing(Instant t) const;
    void step_down(const std::string& why);
    void schedule_write();
    void write_status();
    void retry_write();
    Instant now() const;

    asio::io_context& io_;
    const ClusterConfig& config_;
    const Node& self_;
    Instant started_;
    DaemonLog& log_;
    std::function<void()> drain_sockets_;
    const DropCounters& dropped_;

    ClusterHealth health_;
    PrimaryLease lease_;
    StatusWriter writer_;
    DetailWriter detail_writer_;
    std::optional<std::uint64_t> epoch_;  // held lease epoch while primary
    std::vector<std::string> pending_log_;
    bool status_dirty_ = false;
    bool awaiting_shown_ = false;  // primary, and node_status could not be read at take-over
    bool write_scheduled_ = false;
    asio::steady_timer deadline_timer_;
    bool deadline_armed_ = false;  // a wait on deadline_timer_ is pending
    asio::steady_timer retry_timer_;
    bool retry_armed_ = false;
    asio::steady_timer write_timer_;
    MonoTime last_write_{};
    asio::steady_timer election_timer_;  // set to the expiry of a lease this master is waiting for
    MonoTime last_detail_{};
    std::optional<MonoTime> last_wakeup_;
};

}  // namespace lobos
