#pragma once
// The queue daemon's durable records in ROOT/queue: one file per accepted
// job (ID.json, replaced atomically and synced before anything is done on
// its strength), moved as it last was to ROOT/queue/ended/ when the job has
// ended (job.log says how), where it keeps the id taken (a second submission in the same second must not get
// it) until it is a week old. Any master's daemon can pick the queue up from
// these files.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lobosq/job/job.hpp"

namespace lobos {

class QueueStore {
public:
    // Creates the directories if missing, holding `lock_file` when given
    // (share/io/shared_directory.hpp: another master's daemon may be making
    // them too). Throws std::system_error naming a directory that cannot be made.
    explicit QueueStore(std::filesystem::path queue_dir, const std::filesystem::path& lock_file = {});

    struct Loaded {
        std::vector<Job> jobs;              // waiting and running
        std::vector<std::string> problems;  // "queue/x.json: field 'uid': not a number"
    };
    Loaded load() const;

    // Writes the record of a waiting or running job, not synced: the queue
    // daemon makes a second's records durable at once with sync().
    // Throws std::system_error.
    void save(const Job& job) const;
    // Moves the live record to ended/, not synced. False when it is in
    // ended/ already: another master's daemon ended the job (two daemons
    // acting for a moment, as around a take-over). Throws std::system_error.
    bool retire(const Job& job) const;
    // Claims the dispatch of a job the scheduler just started, once for the
    // whole cluster: queue/dispatched/ID, the job's record as dispatched, is
    // created once, by whichever daemon comes first (create_file_once), and
    // never replaced. Two daemons may act for a moment around a take-over,
    // when a lease read comes from a client cache; this keeps a job from
    // being started on two sets of CPUs then. Returns nullopt when the claim
    // is this dispatch (made now, or earlier with the same placement), else
    // the job as the claim's maker dispatched it. Throws std::system_error.
    std::optional<Job> claim_dispatch(const Job& job) const;
    // The claims of the jobs in `ids`, by id: one directory listing.
    std::map<std::string, Job> dispatch_claims(const std::set<std::string>& ids) const;
    // Makes every record written so far durable (one syncfs: the daemon
    // calls it once a second for everything written meanwhile). Throws
    // std::system_error.
    void sync() const;
    // True when a job of this id was accepted, live or ended.
    bool known(const std::string& id) const;
    // Removes ended records and dispatch claims older than `age` (by file
    // time): a claim outlives its job's record, so that a daemon with an old
    // view of the queue never dispatches the job again. Returns how many.
    int prune_ended(std::filesystem::file_time_type now, std::chrono::hours age) const;

    std::filesystem::path live_record(const std::string& id) const { return dir_ / (id + ".json"); }
    std::filesystem::path ended_record(const std::string& id) const {
        return dir_ / "ended" / (id + ".json");
    }
    std::filesystem::path answers_dir() const { return dir_ / "answers"; }
    std::filesystem::path dispatch_claim(const std::string& id) const { return dir_ / "dispatched" / id; }
    // Fair share's totals, synced with the records.
    std::filesystem::path fair_share_file() const { return dir_ / "fair_share.json"; }

private:
    std::filesystem::path dir_;
};

}  // namespace lobos
