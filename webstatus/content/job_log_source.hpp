#pragma once
// Where a job's ID.log is: the submit directory the queue recorded for it
// (job_detail.json while it is queued, job.log's submission line after),
// never anything taken from the request. Only jobs those files know have a
// log to show. Pure.

#include <filesystem>
#include <optional>
#include <string_view>

#include "webstatus/content/status_snapshot.hpp"

namespace lobos::web {

struct JobLogSource {
    std::filesystem::path path;   // DIR/ID.log
    std::optional<unsigned> uid;  // the submitter: the log must be theirs
    bool finished = false;        // the job has ended: the log grows no more
};

// nullopt when the id is not a job id, no status file knows it, or its
// recorded directory is not an absolute path.
std::optional<JobLogSource> job_log_source(const StatusSnapshot& snapshot, std::string_view id);

}  // namespace lobos::web
