#pragma once
// The queue while this daemon acts for it (holds the queue lease): the jobs
// (loaded from their records at take-over), fair share, the last scheduling
// pass, and every step of a round of work, each done with the collaborators
// that own the files it touches. Made when the daemon takes over, dropped
// when it stands by: whoever acts next starts again from the files.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "lobosq/queue_daemon/cluster_watch.hpp"
#include "lobosq/queue_daemon/durable_batch.hpp"
#include "lobosq/queue_daemon/queue_store.hpp"
#include "lobosq/queue_daemon/runner_mailbox.hpp"
#include "lobosq/queue_daemon/spool_intake.hpp"
#include "lobosq/queue_daemon/status_publisher.hpp"
#include "lobosq/scheduler/fair_share.hpp"
#include "lobosq/scheduler/job_queue.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

// What the acting queue works with; the queue daemon owns them all.
struct QueueParts {
    const ClusterConfig& config;
    const std::string& self;  // this master's name, the writer of job_status
    const std::vector<std::string>& compute_nodes;
    const QueueStore& store;
    DurableBatch& batch;
    RunnerMailbox& mailbox;
    ClusterWatch& cluster;
    SpoolIntake& intake;
    StatusPublisher& publisher;
    DaemonLog& log;
};

class ActingQueue {
public:
    // Loads the records (and fair share) of the queue directory.
    ActingQueue(const QueueParts& parts, std::uint64_t epoch);

    std::uint64_t epoch() const { return epoch_; }
    // Another daemon claimed a job this one meant to start: the records
    // should be read again (the owner makes a new ActingQueue).
    bool view_outdated() const { return view_outdated_; }
    // One round of work, under the lease: news of the cluster, the spool
    // and the runners, then dispatch; with `sync`, the second's records are
    // made durable. True when there is more to do soon (a spool batch left
    // over, a job_status write held back).
    bool round(JobTime now, bool sync);

private:
    void adopt_dispatched(std::vector<Job>& jobs);
    // A daemon killed between recording a dispatch and handing the job to
    // its node left a running job that no runner knows of.
    void resend_start_orders(JobTime now);
    // The spool's requests (spool_requests.cpp).
    void take_spool(JobTime now);
    void accept_submission(const std::filesystem::path& file, JobTime now);
    void answer_cancel(const std::filesystem::path& file, JobTime now);
    // `lobosq --test-only`: plans the script as if submitted now, queues nothing.
    void answer_probe(const std::filesystem::path& file, JobTime now);
    void read_reports(const std::string& node, JobTime now);
    // Fails the running jobs that lost a node (lobosq/scheduler/node_loss.hpp):
    // node_status shows it down, its runner is silent, and the primary that
    // says so has listened long enough. Returns whether any job on a node
    // shown down was left running, to be judged again at the next round.
    bool fail_jobs_on_lost_nodes(JobTime now);
    void dispatch(JobTime now);
    // Removes ended records and dispatch claims older than a week (QueueStore::prune_ended).
    void prune_ended_records(JobTime now);
    // Claims the dispatch for the cluster (QueueStore::claim_dispatch);
    // false when it is not this daemon's to start.
    bool claim_dispatch(const Job& job);
    // A job the scheduler started that is not started after all: it waits again.
    void put_back(const std::string& id);
    // Waiting jobs whose dispatch a daemon claimed: running where the claim says.
    void adopt_claims(std::vector<Job>& jobs);
    // Tells `node`'s runner to read its orders now (share/io/wake_up): at
    // once, rather than when this host's inotify echoes the order back after
    // the rest of the round (status writes, a sync).
    void wake_runner(const std::string& node) const;
    // Ends, through their runners, the jobs past ETIME x EtimeLimit.
    void end_overrunning_jobs(JobTime now);
    // Ends a job: its record to ended/, job.log, the node's files removed.
    void end_job(const std::string& id, const JobEnd& end, JobTime now);
    // Moves an ended job's record to ended/ and, once that is durable,
    // clears its runner's files. False when the move failed: it is tried
    // again at the next pass, and the runner's files stay till then.
    // `ended_before` is set when another daemon had moved it already.
    bool retire(const Job& job, bool* ended_before = nullptr);
    void publish_status(JobTime now);
    // Fair share's totals, kept in the queue directory beside the records.
    void load_fair_share();
    void save_fair_share();

    QueueParts parts_;
    std::uint64_t epoch_;
    bool view_outdated_ = false;
    JobTime next_prune_{};  // the first sync prunes; then once an hour
    JobQueue queue_;
    FairShare fair_share_;
    bool fair_share_changed_ = false;
    bool resend_pending_ = true;
    // Jobs on nodes node_status shows down are judged again (reading their
    // runners' files) at most this often until each has failed or its nodes
    // are up; at once when node_status changes.
    bool node_loss_pending_ = false;
    JobTime next_node_loss_check_{};
    // The last scheduling pass: the estimates job_status and `lobosq stat` show.
    std::optional<SchedulePass> last_pass_;
    std::set<std::string> limit_told_;  // jobs sent a cancel order for running past their limit
    std::vector<Job> unretired_;        // ended jobs whose record is not in ended/ yet
};

}  // namespace lobos
