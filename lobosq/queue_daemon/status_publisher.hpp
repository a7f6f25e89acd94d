#pragma once
// What the acting queue daemon tells the world: job_status and
// job_detail.json (rebuilt from the queue, at most every 100 ms under load
// and at least once a second), job.log (one line per event), and a job
// owner's ID.log. Also sweeps answers to lobosq nobody collected.

#include <chrono>
#include <filesystem>
#include <string>

#include "lobosq/job/job.hpp"
#include "lobosq/scheduler/queue_report.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

class StatusPublisher {
public:
    StatusPublisher(const ClusterPaths& paths, std::filesystem::path answers_dir, DaemonLog& log)
        : paths_(paths), answers_dir_(std::move(answers_dir)), log_(log) {}

    // Something job_status shows changed (or its Act Time moved on).
    void changed() { changed_ = true; }
    bool has_changes() const { return changed_; }
    // False while the last write is too recent: a flood of events gives one
    // write per 100 ms, not one each.
    bool may_write() const;
    // Writes job_status and job_detail.json; a write that fails is logged
    // and done again at the next change (a second at most).
    void publish(const QueueReport& report);

    // Appends a line to job.log.
    void log(JobTime at, const std::string& text);
    // Tells the job's owner in ID.log and removes ID.run, as the owner.
    void tell_owner(const Job& job, const std::string& text);

private:
    void remove_stale_answers();

    const ClusterPaths& paths_;
    std::filesystem::path answers_dir_;
    DaemonLog& log_;
    bool changed_ = true;
    std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace lobos
