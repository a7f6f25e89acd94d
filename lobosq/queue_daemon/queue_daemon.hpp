#pragma once
// The queue daemon of one master (`lobosqd --node master1`): the owner of the
// io_context, the signal set, the directory watch, the timers and the queue
// lease, and of the collaborators it wires together. Every master runs one;
// the one that holds the queue lease (ROOT/queue.lease, the same kind of
// lease as pulse's) acts (ActingQueue), the others wait to take over. The
// acting daemon takes submissions and cancel requests from the spool
// (SpoolIntake), dispatches waiting jobs onto healthy free CPUs with the
// policy pulse.conf names (ClusterWatch), hands each job to the runner of
// its NODE0 (RunnerMailbox), records how jobs end (QueueStore, made durable
// once a second by DurableBatch), and writes job_status, job_detail.json and
// job.log (StatusPublisher).
//
// Everything it knows is on disk (ROOT/queue, ROOT/nodes/NAME), written
// before it is acted on, so a daemon killed at any moment and started again
// (or another master's) carries on with no job lost and none started twice.
// No I/O error ends it: a step that fails is logged and done again at the
// next pass.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "lobosq/placement/placement_policies.hpp"
#include "lobosq/queue_daemon/acting_queue.hpp"
#include "lobosq/queue_daemon/cluster_watch.hpp"
#include "lobosq/queue_daemon/durable_batch.hpp"
#include "lobosq/queue_daemon/queue_store.hpp"
#include "lobosq/queue_daemon/runner_mailbox.hpp"
#include "lobosq/queue_daemon/spool_intake.hpp"
#include "lobosq/queue_daemon/status_publisher.hpp"
#include "share/io/asio.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/daemon_log.hpp"
#include "share/io/directory_watch.hpp"
#include "share/io/primary_lease.hpp"
#include "share/io/wake_up.hpp"

namespace lobos {

class QueueDaemon {
public:
    // Creates the spool, queue and node directories if missing; throws
    // std::system_error naming one that cannot be made. `policy` is the row
    // of the placement table pulse.conf names.
    QueueDaemon(const ClusterConfig& config, const ClusterPaths& paths, const Node& self,
                const PlacementPolicyKind& policy, DaemonLog& log);

    // Runs until SIGINT or SIGTERM.
    void run();

private:
    void on_files(const std::vector<DirectoryWatch::Event>& events);
    // A "look now" from another host (share/io/wake_up): the same as the
    // inotify event this host would have seen had the file been written here.
    void on_wake_up(WakeUpKind kind);
    // Everything may have changed (a rescan, an overflowed watch, a take-over).
    void everything_changed();
    // The chains, each re-arming its timer.
    void do_lease();
    void do_rescan();
    void do_status();
    void do_sync();
    void schedule_work(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    void work();

    void take_over(std::uint64_t epoch);
    void stand_by(const std::string& why);

    const ClusterConfig& config_;
    ClusterPaths paths_;
    const Node& self_;
    DaemonLog& log_;
    std::vector<std::string> compute_nodes_;

    QueueStore store_;
    DurableBatch batch_;
    RunnerMailbox mailbox_;
    ClusterWatch cluster_;
    StatusPublisher publisher_;
    SpoolIntake intake_;
    std::optional<ActingQueue> acting_;  // while this daemon holds the lease

    asio::io_context io_;
    asio::signal_set signals_;
    DirectoryWatch watch_;
    WakeUpListener wake_ups_;  // at this master's address and WakePort
    asio::steady_timer lease_timer_;
    asio::steady_timer rescan_timer_;
    asio::steady_timer status_timer_;
    asio::steady_timer work_timer_;
    asio::steady_timer sync_timer_;
    bool work_scheduled_ = false;
    std::chrono::steady_clock::time_point work_due_{};
    bool sync_due_ = false;

    PrimaryLease lease_;
};

}  // namespace lobos
