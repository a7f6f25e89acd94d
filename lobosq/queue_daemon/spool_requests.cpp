// The acting queue's answers to what users ask through the spool:
// submissions, cancel requests and test-only probes (SpoolIntake reads and
// checks the files; the decisions, which need the queue, are made here).

#include <exception>

#include "lobosq/queue_daemon/acting_queue.hpp"
#include "lobosq/scheduler/probe_answer.hpp"
#include "share/formats/job_id.hpp"

namespace lobos {

namespace fs = std::filesystem;

namespace {

std::string spool_key(const fs::path& file) { return "spool " + file.filename().string(); }

}  // namespace

void ActingQueue::take_spool(JobTime now) {
    SpoolIntake::Batch batch = parts_.intake.take(now);
    for (const fs::path& p : batch.submissions) accept_submission(p, now);
    // Cancels after submissions, so that a job submitted and cancelled at
    // once is found.
    for (const fs::path& p : batch.cancels) answer_cancel(p, now);
    for (const fs::path& p : batch.probes) answer_probe(p, now);
}

void ActingQueue::accept_submission(const fs::path& file, JobTime now) {
    const std::string name = file.filename().string();
    const std::string id = name.substr(0, name.size() - submission_suffix.size());
    if (!is_job_id(id))
        return parts_.intake.refuse(file, "spool file " + name, "not named after a job id", now);
    const auto remove_file = [this, file] { parts_.intake.remove(file); };
    if (parts_.store.known(id)) {
        // Accepted before: the file goes once the record is surely durable.
        if (!parts_.batch.awaiting(spool_key(file))) {
            parts_.batch.written();
            parts_.batch.once_durable(spool_key(file), remove_file);
        }
        return;
    }
    std::optional<Job> job = parts_.intake.read_submission(file, id, queue_, now);
    if (!job) return;
    try {
        parts_.store.save(*job);
        parts_.batch.written();
    } catch (const std::exception& e) {
        // Left in the spool: taken again when the queue directory can be written.
        parts_.log.limited(LogLevel::error, "record", "cannot record " + id + ": " + e.what());
        return;
    }
    const JobDirectives& d = job->spec.directives;
    const std::string line =
        id + " submitted by " + job->spec.user + " (uid " + std::to_string(job->spec.uid) + "): " +
        (d.nprocs_low == d.nprocs_high ? std::to_string(d.nprocs_low)
                                       : std::to_string(d.nprocs_low) + "-" + std::to_string(d.nprocs_high)) +
        " CPUs, TPIP " + std::to_string(d.tpip) + ", ETIME " + std::to_string(d.etime_minutes) +
        (d.admin ? ", ADMIN" : "") + ", in " + job->spec.dir;
    queue_.add(std::move(*job));
    parts_.publisher.log(now, line);
    // The client synced the spool file: it stays until the record is durable.
    parts_.batch.once_durable(spool_key(file), remove_file);
    parts_.publisher.changed();
}

void ActingQueue::answer_probe(const fs::path& file, JobTime now) {
    const std::optional<std::string> nonce = parts_.intake.request_nonce(file, probe_prefix, now);
    if (!nonce) return;
    const std::optional<SpoolSender> sender =
        parts_.intake.read_sender(file, "test-only request " + *nonce, now);
    if (!sender) return;
    CancelAnswer answer;
    std::string error;
    auto request = decode_probe_request(sender->text, error);
    if (!request) {
        answer.message = "the request could not be read: " + error;
    } else if (!parts_.cluster.up_nodes()) {
        answer.message =
            "node_status is not fresh, so no one knows which nodes are up: nothing can be planned now";
    } else if (ScriptCheck check = parts_.intake.check_script(request->script, sender->uid, queue_, now);
               !check.directives) {
        answer.message = "the job would be refused:";
        if (check.never_placeable) answer.message += " " + *check.never_placeable;
        for (const std::string& e : check.directive_errors) answer.message += "\n  " + e;
    } else {
        Job probe;
        probe.spec.id = sender->user + ".test-only";
        probe.spec.user = sender->user;
        probe.spec.uid = sender->uid;
        probe.spec.gid = sender->gid.value_or(0);
        probe.spec.directives = *check.directives;
        probe.spec.submitted = now;
        JobQueue trial = queue_;
        trial.add(probe);
        const PlacementPolicy& place = parts_.cluster.placement(now);
        const SchedulePass pass =
            trial.plan(now, parts_.cluster.view(), place, fair_share_.order_for(trial, now));
        answer = CancelAnswer{true, encode_probe_estimate(estimate_probe(pass, probe.spec.id, now))};
    }
    parts_.intake.answer(*nonce, answer, request ? request->reply_to : std::nullopt);
    parts_.intake.remove(file);  // nothing was recorded from it: no need to wait for a sync
}

void ActingQueue::answer_cancel(const fs::path& file, JobTime now) {
    const std::optional<std::string> nonce = parts_.intake.request_nonce(file, cancel_prefix, now);
    if (!nonce) return;
    if (parts_.batch.awaiting(spool_key(file))) return;  // answered; the file goes at the next sync
    const std::optional<SpoolSender> sender =
        parts_.intake.read_sender(file, "cancel request " + *nonce, now);
    if (!sender) return;
    const std::string& user = sender->user;
    std::string error;
    auto request = decode_cancel_request(sender->text, error);
    CancelAnswer answer;
    if (!request) {
        answer.message = "the request could not be read: " + error;
    } else if (const Job* job = queue_.find(request->job); !job) {
        answer.message = parts_.store.known(request->job) ? "job " + request->job + " has already ended"
                                                          : "there is no job " + request->job;
    } else if (sender->uid != 0 && sender->uid != job->spec.uid) {
        answer.message = "job " + job->spec.id + " belongs to " + job->spec.user + "; only " +
                         job->spec.user + " or root may cancel it";
        parts_.publisher.log(now, "refused to cancel " + job->spec.id + " for " + user +
                                      ": the job belongs to " + job->spec.user);
    } else if (job->state == JobState::waiting) {
        const std::string id = job->spec.id;
        end_job(id, JobEnd{JobOutcome::cancelled, 0, 0, "cancelled by " + user + " while waiting", now}, now);
        answer = {true, "cancelled " + id + " (it had not started)"};
    } else {
        const std::string node0 = job->placement->node0();
        if (std::string failed = parts_.mailbox.send_cancel(node0, job->spec.id, "cancelled by " + user);
            failed.empty()) {
            wake_runner(node0);
            parts_.publisher.log(
                now, job->spec.id + " cancel requested by " + user + ": SIGTERM on " + node0 +
                         ", SIGKILL after " +
                         std::to_string(parts_.config.pulse.cancel_grace.count()).substr(0, 4) + " s");
            answer = {true, "cancelling " + job->spec.id + " on " + node0};
        } else {
            answer.message = "cannot pass the cancel on to " + node0 + ": " + failed;
        }
    }
    parts_.intake.answer(*nonce, answer, request ? request->reply_to : std::nullopt);
    parts_.batch.once_durable(spool_key(file), [this, file] { parts_.intake.remove(file); });
}

}  // namespace lobos
