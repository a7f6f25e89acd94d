#pragma once
// ROOT/spool, where lobosq leaves what users ask of the queue: submissions
// (ID.job), cancel requests (cancel.NONCE) and test-only probes
// (probe.NONCE). The owner of a file there is its sender (the spool is
// sticky and written by everyone). The intake lists the spool, reads a file
// with its sender's identity, checks a job script the one way submissions
// and probes share, refuses what is wrong (in job.log, and the file goes),
// and writes the answers lobosq waits for.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lobosq/job/job.hpp"
#include "lobosq/job/spool_entry.hpp"
#include "lobosq/queue_daemon/status_publisher.hpp"
#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/rate_limit.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

// Who sent a spool file, and what it says.
struct SpoolSender {
    uid_t uid = 0;
    std::string user;          // the user name; "uid N" when the uid has none
    std::optional<gid_t> gid;  // the user's group, when the uid has a user name
    std::string text;
    std::chrono::seconds age{0};  // since the file was last written
};

// A job script checked against the cluster: its directives, or why not.
struct ScriptCheck {
    std::optional<JobDirectives> directives;
    std::vector<std::string> directive_errors;   // one per problem, in line order
    std::optional<std::string> never_placeable;  // fits no placement even on an idle cluster
};

class SpoolIntake {
public:
    SpoolIntake(std::filesystem::path spool, std::filesystem::path answers, StatusPublisher& publisher,
                DaemonLog& log)
        : spool_(std::move(spool)), answers_(std::move(answers)), publisher_(publisher), log_(log) {}

    // A file in the spool came or went (or may have).
    void changed() { changed_ = true; }
    bool has_changes() const { return changed_; }

    struct Batch {
        std::vector<std::filesystem::path> submissions;  // in order of id, at most a batch's worth
        std::vector<std::filesystem::path> cancels;
        std::vector<std::filesystem::path> probes;
    };
    // What the spool holds now; refuses files that are none of these and
    // removes temporaries of clients that died. Leaves has_changes() set
    // when submissions are left over for the next round.
    Batch take(JobTime now);

    // The nonce of a request file named PREFIX.NONCE; refuses the file when
    // that is no valid name.
    std::optional<std::string> request_nonce(const std::filesystem::path& file, std::string_view prefix,
                                             JobTime now);
    // The file and its sender, or nothing: not whole yet (lobosq is still
    // writing it), gone, or refused (as `what`) and removed.
    std::optional<SpoolSender> read_sender(const std::filesystem::path& file, const std::string& what,
                                           JobTime now);
    // The job a submission file asks for (id, sender, script, directives),
    // or nothing: not whole yet, or refused and removed.
    std::optional<Job> read_submission(const std::filesystem::path& file, const std::string& id,
                                       const JobQueue& queue, JobTime now);
    ScriptCheck check_script(const std::string& script, uid_t sender, const JobQueue& queue,
                             JobTime now) const;

    // Logs the refusal in job.log and removes the file.
    void refuse(const std::filesystem::path& file, const std::string& what, const std::string& reason,
                JobTime now);
    // The answer lobosq waits for (ROOT/queue/answers/NONCE); then, when the
    // request named where its sender waits, a "look now" there (inotify on
    // the sender's host does not see a file written here). Rate-limited:
    // the address is the user's word, and over the limit lobosq finds the
    // answer at its next look anyway.
    void answer(const std::string& nonce, const CancelAnswer& answer,
                const std::optional<WakeUpAddress>& reply_to = std::nullopt);
    void remove(const std::filesystem::path& file);

private:
    std::filesystem::path spool_;
    std::filesystem::path answers_;
    StatusPublisher& publisher_;
    DaemonLog& log_;
    bool changed_ = true;
    TokenBucket answer_wake_ups_{200, 50};
};

}  // namespace lobos
