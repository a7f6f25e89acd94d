#pragma once
// Fair share between groups, then between users within a group, from the
// CPU time each has used, decayed exponentially with a half-life (LSF's
// fair share, two levels deep; every group, and every user within a group,
// has an equal share). Pure: the moment is passed in; the queue daemon
// charges each job's CPU time when it ends and keeps the totals in a file.
//
// Order of the waiting jobs: take the group that has used least, counting
// its decayed history, the time its running jobs have used so far, and the
// reserved time (CPUs x ETIME) of its jobs already put in order; within it
// the user that has used least by the same count; that user's earliest job.
// Charging the jobs put in order is what interleaves two users' jobs instead
// of running all of the lighter user's first.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lobosq/job/job.hpp"
#include "lobosq/scheduler/job_queue.hpp"

namespace lobos {

class FairShare {
public:
    explicit FairShare(std::chrono::seconds half_life) : half_life_(half_life) {}

    // Adds what a job of `user` (in `group`) used, as of `at`.
    void charge(gid_t group, uid_t user, double cpu_seconds, JobTime at);

    // Decayed CPU seconds used, as of `now`.
    double group_usage(gid_t group, JobTime now) const;
    double user_usage(gid_t group, uid_t user, JobTime now) const;

    // Puts `waiting` in fair-share order (see above); `running` are the
    // jobs running now, charged for the time they have run.
    void order(std::vector<const Job*>& waiting, const std::vector<const Job*>& running, JobTime now) const;
    // That order as the queue's WaitingOrder, with `queue`'s running jobs at
    // the moment of the pass; both must outlive the pass.
    WaitingOrder order_for(const JobQueue& queue, JobTime now) const;

    // The totals as JSON, and back; decode names what is wrong.
    std::string encode() const;
    static std::optional<FairShare> decode(std::string_view text, std::chrono::seconds half_life,
                                           std::string& error);

    std::chrono::seconds half_life() const { return half_life_; }
    bool operator==(const FairShare&) const = default;

private:
    struct Used {
        double cpu_seconds = 0;
        JobTime as_of{};
        bool operator==(const Used&) const = default;
    };
    double decayed(const Used& used, JobTime now) const;
    void add(Used& used, double cpu_seconds, JobTime at) const;

    std::chrono::seconds half_life_;
    std::map<gid_t, Used> groups_;
    std::map<std::pair<gid_t, uid_t>, Used> users_;
};

}  // namespace lobos
