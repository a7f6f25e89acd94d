#pragma once
// The queue daemon of one master (`lobosqd --node master1`): the owner of the
// io_context, the signal set, the directory watch and the timers. Every
// master runs one; the one that holds the queue lease (ROOT/queue.lease, the
// same kind of lease as pulse's) acts, the others wait to take over. The
// acting daemon takes submissions and cancel requests from the spool,
// dispatches waiting jobs onto healthy free CPUs, closest together in the
// link graph (topology_placement, from node_status and node_detail.json),
// hands each job to the runner of its NODE0, records how jobs end, and
// writes job_status, job_detail.json and job.log.
//
// Everything it knows is on disk (ROOT/queue, ROOT/nodes/NAME), written
// before it is acted on, so a daemon killed at any moment and started again
// (or another master's) carries on with no job lost and none started twice.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/topology_graph.hpp"
#include "lobosq/placement/cluster_snapshot.hpp"
#include "lobosq/queue_daemon/queue_store.hpp"
#include "lobosq/scheduler/fair_share.hpp"
#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/node_status.hpp"
#include "share/io/asio.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/directory_watch.hpp"
#include "share/io/primary_lease.hpp"

namespace lobos {

class QueueDaemon {
public:
    // Creates the spool, queue and node directories if missing; throws
    // std::system_error naming one that cannot be made.
    QueueDaemon(const ClusterConfig& config, const ClusterPaths& paths, const Node& self);

    // Runs until SIGINT or SIGTERM.
    void run();

private:
    void on_files(const std::vector<DirectoryWatch::Event>& events);
    void do_lease();
    void do_rescan();
    void do_status();
    void schedule_work(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    void work();

    void take_over(std::uint64_t epoch);
    void stand_by(const std::string& why);

    // The steps of work(), each under the lease.
    void resend_start_orders(JobTime now);
    bool read_node_status(JobTime now);
    void read_node_detail();
    // The topology-aware policy over a snapshot of the cluster, rebuilt
    // when node_status, node_detail.json or this daemon's dispatches changed.
    const PlacementPolicy& placement(JobTime now);
    void take_spool(JobTime now);
    void accept_submission(const std::filesystem::path& file, JobTime now);
    void answer_cancel(const std::filesystem::path& file, JobTime now);
    // `lobosq --test-only`: plans the script as if submitted now, queues nothing.
    void answer_probe(const std::filesystem::path& file, JobTime now);
    void read_node_reports(const std::string& node, JobTime now);
    void fail_jobs_on_down_nodes(JobTime now);
    void dispatch(JobTime now);
    // Ends, through their runners, the jobs past ETIME x EtimeLimit.
    void end_overrunning_jobs(JobTime now);
    void write_status(JobTime now);
    // Fair share's totals, kept in the queue directory beside the records.
    void load_fair_share();
    void save_fair_share();

    // Records are written unsynced. What must not happen before a record is
    // durable (removing the spool file it came from, removing the files of a
    // job whose end it records) waits, under `key`, until make_durable()
    // syncs every record written since the last time, once a second: one
    // sync for hundreds of jobs instead of one each. Scans pass over what
    // waits (see awaiting()).
    void once_durable(const std::string& key, std::function<void()> action);
    bool awaiting(const std::string& key) const { return awaiting_.count(key) > 0; }
    void make_durable();
    void do_sync();
    // A daemon that takes over adopts jobs its records show waiting but
    // whose start order is already with a runner (their dispatch record was
    // not yet durable when the previous daemon died).
    void adopt_dispatched(std::vector<Job>& jobs);

    // Ends a job: its record to ended/, job.log, the node's files removed.
    void end_job(const std::string& id, const JobEnd& end, JobTime now);
    // Tells the job's owner in ID.log and removes ID.run, as the owner.
    void tell_owner(const Job& job, const std::string& text);
    void log(JobTime at, const std::string& text);
    void refuse(const std::filesystem::path& file, const std::string& what, const std::string& reason,
                JobTime now);

    const ClusterConfig& config_;
    ClusterPaths paths_;
    const Node& self_;
    QueueStore store_;
    std::vector<std::string> compute_nodes_;

    asio::io_context io_;
    asio::signal_set signals_;
    DirectoryWatch watch_;
    asio::steady_timer lease_timer_;
    asio::steady_timer rescan_timer_;
    asio::steady_timer status_timer_;
    asio::steady_timer work_timer_;
    asio::steady_timer sync_timer_;
    bool work_scheduled_ = false;
    std::chrono::steady_clock::time_point work_due_{};

    PrimaryLease lease_;
    std::optional<std::uint64_t> epoch_;  // while this daemon acts
    std::optional<JobQueue> queue_;       // while this daemon acts
    std::chrono::steady_clock::time_point started_;

    // What changed since the last work().
    bool spool_dirty_ = true;
    bool node_status_dirty_ = true;
    bool node_detail_dirty_ = true;
    std::set<std::string> nodes_dirty_;
    bool status_dirty_ = true;
    bool resend_start_orders_ = false;
    bool records_written_ = false;
    bool sync_due_ = false;
    std::vector<std::function<void()>> after_sync_;
    std::set<std::string> awaiting_;
    std::chrono::steady_clock::time_point last_status_write_{};

    // The compute nodes node_status shows up, once node_status is fresh.
    std::optional<std::set<std::string>> up_nodes_;

    // What placement is built from: node_status as last read (while fresh),
    // node_detail.json's nodes (none while it is missing or broken), and the
    // work given out that the nodes' reports do not show yet.
    TopologyGraph graph_;
    std::optional<NodeStatus> node_status_;
    std::optional<std::vector<NodeDetail>> node_details_;
    bool told_no_detail_ = false;
    std::pair<ino_t, std::int64_t> detail_version_{0, 0};  // inode and mtime of the detail file last read
    std::vector<RecentDispatch> recent_dispatches_;
    bool snapshot_dirty_ = true;
    PlacementPolicy place_;
    ClusterView view_;  // up nodes, healthy CPUs and faults, from the same snapshot as place_

    // The last scheduling pass: the estimates job_status and `lobosq stat` show.
    std::optional<SchedulePass> last_pass_;
    FairShare fair_share_;
    bool fair_share_dirty_ = false;
    std::set<std::string> limit_told_;  // jobs sent a cancel order for running past their limit
};

}  // namespace lobos
