#include "lobosq/queue_daemon/acting_queue.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <sstream>

#include "lobosq/scheduler/node_loss.hpp"
#include "lobosq/scheduler/queue_report.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/wake_up.hpp"

namespace lobos {

namespace fs = std::filesystem;

namespace {

// How often jobs left running on nodes shown down are judged again.
constexpr auto node_loss_recheck = std::chrono::milliseconds(200);

std::string run_time(JobTime from, JobTime to) {
    long long s = std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
    if (s < 0) s = 0;
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    return text;
}

}  // namespace

ActingQueue::ActingQueue(const QueueParts& parts, std::uint64_t epoch)
    : parts_(parts),
      epoch_(epoch),
      queue_(number_cpus(parts.config),
             ScheduleRules{true, parts.config.pulse.etime_limit, parts.config.pulse.user_job_cap}),
      fair_share_(std::chrono::duration_cast<std::chrono::seconds>(parts.config.pulse.fair_share_half_life)) {
    load_fair_share();
    QueueStore::Loaded loaded = parts_.store.load();
    for (const std::string& p : loaded.problems) parts_.log.warning(p);
    adopt_claims(loaded.jobs);
    adopt_dispatched(loaded.jobs);
    int running = 0;
    for (Job& job : loaded.jobs) {
        const std::string id = job.spec.id;
        const bool is_running = job.state == JobState::running;
        if (queue_.add(std::move(job)))
            running += is_running;
        else
            parts_.log.warning(
                parts_.store.live_record(id).string() +
                ": not a waiting job nor a running one with its placement and start; left alone");
    }
    parts_.log.info("acting for the queue (epoch " + std::to_string(epoch) +
                    "): " + std::to_string(queue_.size()) + " jobs, " + std::to_string(running) + " running");
}

void ActingQueue::adopt_claims(std::vector<Job>& jobs) {
    // Jobs the records show waiting that a daemon claimed to dispatch: it
    // died before the record said so, or its record is not seen here yet.
    std::set<std::string> waiting;
    for (const Job& job : jobs)
        if (job.state == JobState::waiting) waiting.insert(job.spec.id);
    std::map<std::string, Job> claims = parts_.store.dispatch_claims(waiting);
    for (Job& job : jobs) {
        auto it = claims.find(job.spec.id);
        if (job.state != JobState::waiting || it == claims.end()) continue;
        job = std::move(it->second);
        parts_.log.info(job.spec.id + " was claimed for dispatch to " + job.placement->node0() + "; running");
    }
}

void ActingQueue::adopt_dispatched(std::vector<Job>& jobs) {
    // Jobs the records show waiting whose start order is already with a
    // runner: their dispatch record was not yet durable when the previous
    // daemon died.
    std::set<std::string> waiting;
    for (const Job& job : jobs)
        if (job.state == JobState::waiting) waiting.insert(job.spec.id);
    const auto handed = parts_.mailbox.find_start_orders(parts_.compute_nodes, waiting);
    for (Job& job : jobs) {
        auto it = handed.find(job.spec.id);
        if (job.state != JobState::waiting || it == handed.end()) continue;
        job.state = JobState::running;
        job.placement = it->second.order.placement;
        job.started = it->second.order.dispatched;
        parts_.log.info(job.spec.id + " was already handed to " + it->second.node + "; running");
    }
}

bool ActingQueue::round(JobTime now, bool sync) {
    if (std::exchange(resend_pending_, false)) resend_start_orders(now);
    std::erase_if(unretired_, [this](const Job& job) { return retire(job); });
    if (parts_.cluster.read_status(now)) {
        parts_.publisher.changed();
        node_loss_pending_ = true;
        next_node_loss_check_ = now;
    }
    parts_.cluster.read_detail();
    if (node_loss_pending_ && now >= next_node_loss_check_ && parts_.cluster.up_nodes()) {
        node_loss_pending_ = fail_jobs_on_lost_nodes(now);
        next_node_loss_check_ = now + node_loss_recheck;
    }
    if (parts_.intake.has_changes()) take_spool(now);
    bool more = parts_.intake.has_changes();  // left set when a batch was left over
    for (const std::string& node : parts_.mailbox.take_changes()) read_reports(node, now);
    dispatch(now);
    if (fair_share_changed_) save_fair_share();
    if (sync) parts_.batch.make_durable();
    if (sync && now >= next_prune_) prune_ended_records(now);
    if (parts_.publisher.has_changes()) {
        if (parts_.publisher.may_write())
            publish_status(now);
        else
            more = true;
    }
    return more;
}

void ActingQueue::resend_start_orders(JobTime now) {
    // The runner starts a job only if it has no report of it, so sending
    // again is safe.
    for (const Job* job : queue_.in_order()) {
        if (job->state != JobState::running || !job->placement) continue;
        const std::string node0 = job->placement->node0();
        if (parts_.mailbox.has_start_or_report(node0, job->spec.id)) continue;
        const std::string error = parts_.mailbox.send_start(*job, *job->started);
        if (error.empty()) {
            parts_.publisher.log(
                now, job->spec.id + " handed to " + node0 + " again: its start order had not been written");
            wake_runner(node0);
        } else {
            resend_pending_ = true;  // at the next pass
            parts_.log.limited(LogLevel::error, "start " + node0, error);
        }
    }
}

void ActingQueue::read_reports(const std::string& node, JobTime now) {
    // A job whose end is not durable yet keeps its runner's files.
    const auto skip = [this](const std::string& id) {
        return parts_.batch.awaiting("node " + id) ||
               std::any_of(unretired_.begin(), unretired_.end(),
                           [&](const Job& j) { return j.spec.id == id; });
    };
    for (const RunnerMailbox::Report& r : parts_.mailbox.read_reports(node, skip)) {
        if (r.report.state != RunnerState::ended) continue;
        const Job* job = queue_.find(r.id);
        if (job && job->state == JobState::running && job->placement && job->placement->node0() == node) {
            end_job(r.id,
                    r.report.end.value_or(
                        JobEnd{JobOutcome::failed, 0, 0, "the runner gave no exit status", now}),
                    now);
        } else {
            // A job this queue has already ended (failed when its node went
            // down, say) that the node has now ended too: forget its files.
            parts_.mailbox.forget(node, r.id);
        }
    }
}

bool ActingQueue::fail_jobs_on_lost_nodes(JobTime now) {
    const std::set<std::string>& up = *parts_.cluster.up_nodes();
    const NodeLossTimes times{
        std::chrono::duration_cast<JobClock::duration>(parts_.config.pulse.node_timeout),
        std::chrono::duration_cast<JobClock::duration>(parts_.config.pulse.master_timeout)};
    // Each file is read once a pass, and only for nodes shown down.
    std::map<std::string, std::optional<RunnerAlive>> runners;
    std::optional<std::optional<JobTime>> listening_since;
    std::vector<std::pair<const Job*, NodeLossVerdict>> lost;
    bool pending = false;
    for (const Job* job : queue_.in_order()) {
        if (job->state != JobState::running || !job->placement) continue;
        std::vector<NodeSighting> nodes;
        bool any_down = false;
        for (const std::string& node : job->placement->distinct_nodes()) {
            NodeSighting sighting{node, up.count(node) > 0, std::nullopt, std::nullopt};
            if (!sighting.up) {
                any_down = true;
                sighting.down_since = parts_.cluster.down_since(node);
                auto [runner, first] = runners.try_emplace(node);
                if (first) runner->second = parts_.mailbox.runner_alive(node);
                if (runner->second) sighting.runner_heard = runner->second->written;
            }
            nodes.push_back(std::move(sighting));
        }
        if (!any_down) continue;
        if (!listening_since) listening_since = parts_.cluster.writer_listening_since();
        NodeLossVerdict verdict = judge_node_loss(nodes, *listening_since, times, now);
        if (verdict.fail) {
            lost.emplace_back(job, std::move(verdict));
        } else {
            pending = true;
            parts_.log.limited(LogLevel::info, "node loss " + job->spec.id,
                               job->spec.id +
                                   " left running: node_status shows a node of it down, but its "
                                   "runner still reports or the primary has not listened long enough");
        }
    }
    for (const auto& [job, verdict] : lost) {
        const std::string id = job->spec.id;
        const std::string node0 = job->placement->node0();
        // If the node comes back with the job still running, its runner ends it.
        if (std::string failed = parts_.mailbox.send_cancel(node0, id, verdict.node + " went down");
            !failed.empty())
            parts_.log.limited(LogLevel::error, "cancel " + id, failed);
        parts_.publisher.tell_owner(*job, "lobosq: job " + id + " failed: " + verdict.reason + "\n");
        end_job(id, JobEnd{JobOutcome::failed, 0, 0, verdict.reason, now}, now);
    }
    return pending;
}

void ActingQueue::end_job(const std::string& id, const JobEnd& end, JobTime now) {
    std::optional<Job> job = queue_.finish(id, end);
    if (!job) return;
    bool ended_before = false;
    if (!retire(*job, &ended_before)) unretired_.push_back(*job);
    if (ended_before) {
        // Two daemons acted for a moment (measured after a take-over under
        // GlusterFS's default caching, when a lease read came from a client
        // cache): the other one has logged and charged this end.
        parts_.log.warning(id + " was ended already by another master's queue daemon; not recorded twice");
        parts_.publisher.changed();
        return;
    }
    std::string text = id + " ended: " + describe(end);
    if (job->started) text += " after " + run_time(*job->started, end.at);
    limit_told_.erase(id);
    if (job->started && job->placement) {
        const double seconds = std::max(0.0, std::chrono::duration<double>(end.at - *job->started).count());
        fair_share_.charge(job->spec.gid, job->spec.uid,
                           seconds * static_cast<double>(job->placement->cpus.size()), end.at);
        fair_share_changed_ = true;
    }
    parts_.publisher.log(now, text);
    parts_.publisher.changed();
}

bool ActingQueue::retire(const Job& job, bool* ended_before) {
    const std::string& id = job.spec.id;
    try {
        if (!parts_.store.retire(job)) {
            if (ended_before) *ended_before = true;
            return true;  // its runner's files are the other daemon's to clear
        }
        parts_.batch.written();
    } catch (const std::exception& e) {
        parts_.log.limited(LogLevel::error, "record", "cannot record the end of " + id + ": " + e.what());
        return false;
    }
    if (job.placement) {
        // Only once the end is durable may the runner's files go: a daemon
        // that restarted and found the job running with no report would
        // start it again.
        const std::string node0 = job.placement->node0();
        const bool keep_cancel = job.end && job.end->outcome == JobOutcome::failed;
        RunnerMailbox& mailbox = parts_.mailbox;
        parts_.batch.once_durable("node " + id, [&mailbox, node0, id, keep_cancel] {
            mailbox.clear_ended(node0, id, keep_cancel);
        });
    }
    return true;
}

void ActingQueue::dispatch(JobTime now) {
    if (!parts_.cluster.up_nodes()) {
        last_pass_.reset();
        return;  // no fresh node_status: no one knows which nodes are up
    }
    end_overrunning_jobs(now);
    const PlacementPolicy& place = parts_.cluster.placement(now);
    last_pass_ = queue_.schedule(now, parts_.cluster.view(), place, fair_share_.order_for(queue_, now));
    for (const std::string& id : last_pass_->started) {
        const Job& job = *queue_.find(id);
        if (!claim_dispatch(job)) {
            put_back(id);
            continue;
        }
        try {
            parts_.store.save(job);
            parts_.batch.written();
        } catch (const std::exception& e) {
            // Not recorded, so not started: it waits again (the claim stays:
            // whoever dispatches it later starts it where the claim says).
            parts_.log.limited(LogLevel::error, "record",
                               "cannot record the dispatch of " + id + ": " + e.what());
            put_back(id);
            continue;
        }
        parts_.cluster.dispatched(*job.placement, now);
        std::string nodes;
        for (const std::string& n : job.placement->distinct_nodes()) nodes += (nodes.empty() ? "" : " ") + n;
        parts_.publisher.log(
            now, id + " dispatched to cpus " + format_cpu_list(job.placement->cpus) + " (" + nodes + ")");
        if (std::string failed = parts_.mailbox.send_start(job, now); !failed.empty()) {
            // A file error on the shared root (EIO, ESTALE, a full disk) is
            // no fault of the job: its record says dispatched, so the order
            // is written again at the next pass, as after a restart.
            resend_pending_ = true;
            parts_.log.limited(LogLevel::error, "start " + job.placement->node0(),
                               "cannot hand " + id + " to its node: " + failed + ": tried again");
        } else {
            wake_runner(job.placement->node0());
        }
        parts_.publisher.changed();
    }
}

bool ActingQueue::claim_dispatch(const Job& job) {
    try {
        const std::optional<Job> other = parts_.store.claim_dispatch(job);
        if (!other) return true;
        parts_.log.warning(
            job.spec.id + " was claimed for dispatch to cpus " + format_cpu_list(other->placement->cpus) +
            " by another queue daemon (this one chose " + format_cpu_list(job.placement->cpus) +
            "): this daemon's view of the queue is old; it reads the records again");
        view_outdated_ = true;
    } catch (const std::exception& e) {
        parts_.log.limited(LogLevel::error, "record",
                           "cannot claim the dispatch of " + job.spec.id + ": " + e.what());
    }
    return false;
}

void ActingQueue::put_back(const std::string& id) {
    Job back = *queue_.finish(id, JobEnd{});
    back.state = JobState::waiting;
    back.placement.reset();
    back.started.reset();
    back.end.reset();
    queue_.add(std::move(back));
}

void ActingQueue::prune_ended_records(JobTime now) {
    // A week keeps an id taken far past the second it names, and a dispatch
    // claim far past any daemon's old view of the queue.
    next_prune_ = now + std::chrono::hours(1);
    try {
        const int removed = parts_.store.prune_ended(std::filesystem::file_time_type::clock::now(),
                                                     std::chrono::hours(24 * 7));
        if (removed > 0)
            parts_.log.info("removed " + std::to_string(removed) + " ended records older than a week");
    } catch (const std::exception& e) {
        parts_.log.limited(LogLevel::error, "prune",
                           std::string("cannot remove old ended records: ") + e.what());
    }
}

void ActingQueue::wake_runner(const std::string& node) const {
    if (const Node* n = parts_.config.find_node(node))
        send_wake_up(n->ip, parts_.config.pulse.wake_port, WakeUpKind::orders);
}

void ActingQueue::end_overrunning_jobs(JobTime now) {
    for (const std::string& id : queue_.over_limit(now)) {
        if (!limit_told_.insert(id).second) continue;  // told once; the runner reports the end
        const Job& job = *queue_.find(id);
        const std::string node0 = job.placement->node0();
        std::ostringstream limit;
        limit << parts_.config.pulse.etime_limit;
        const std::string reason = "ran past its limit: ETIME " +
                                   std::to_string(job.spec.directives.etime_minutes) + " min x EtimeLimit " +
                                   limit.str();
        if (std::string failed = parts_.mailbox.send_cancel(node0, id, reason); failed.empty()) {
            parts_.publisher.log(now, id + " " + reason + ": SIGTERM on " + node0);
        } else {
            limit_told_.erase(id);  // tried again at the next pass
            parts_.log.limited(LogLevel::error, "cancel " + id,
                               "cannot end " + id + " (" + reason + "): " + failed);
        }
    }
}

void ActingQueue::publish_status(JobTime now) {
    static const std::vector<WaitingEstimate> no_plan;
    const std::set<std::string> up = parts_.cluster.up_nodes().value_or(std::set<std::string>{});
    parts_.publisher.publish(report_queue(queue_, now, queue_.free_cpus(up),
                                          last_pass_ ? last_pass_->waiting : no_plan, parts_.self));
}

void ActingQueue::load_fair_share() {
    const fs::path file = parts_.store.fair_share_file();
    try {
        std::optional<std::string> text = read_file_if_exists(file);
        if (!text) return;
        std::string error;
        if (auto loaded = FairShare::decode(*text, fair_share_.half_life(), error))
            fair_share_ = std::move(*loaded);
        else
            parts_.log.warning(file.string() + ": " + error + ": fair share starts again from no use");
    } catch (const std::exception& e) {
        parts_.log.warning(std::string(e.what()) + ": fair share starts again from no use");
    }
}

void ActingQueue::save_fair_share() {
    try {
        // Synced with the records, once a second (make_durable): losing the
        // last second of charges to a crash only makes fair share a little kinder.
        write_file_atomically(parts_.store.fair_share_file(), fair_share_.encode(), 0600,
                              Durability::unsynced);
        parts_.batch.written();
        fair_share_changed_ = false;
    } catch (const std::exception& e) {
        // Saved at the next pass.
        parts_.log.limited(LogLevel::error, "fair share", std::string("cannot save fair share: ") + e.what());
    }
}

}  // namespace lobos
