#include "webstatus/content/job_log_source.hpp"

#include "share/formats/job_id.hpp"

namespace lobos::web {

std::optional<JobLogSource> job_log_source(const StatusSnapshot& snapshot, std::string_view id) {
    // A job id holds no '/', so DIR/ID.log stays in DIR.
    if (!is_job_id(id)) return std::nullopt;
    std::string dir;
    std::optional<unsigned> uid;
    bool queued = false;
    if (snapshot.job_detail)
        for (const JobView& view : snapshot.job_detail->jobs)
            if (view.id == id) {
                dir = view.dir;
                uid = view.uid;
                queued = true;
            }
    const JobLogEntry* logged = snapshot.job_log ? snapshot.job_log->find(id) : nullptr;
    if (!queued && logged) {
        dir = logged->dir;
        uid = logged->uid;
    }
    if (!queued && snapshot.job_status && !logged)
        for (const JobStatusLine& line : snapshot.job_status->jobs)
            if (line.id == id) return std::nullopt;  // listed, but no record says where it runs
    if (dir.empty() || dir.front() != '/') return std::nullopt;
    JobLogSource source;
    source.path = std::filesystem::path(dir) / (std::string(id) + ".log");
    source.uid = uid;
    source.finished = !queued && logged && logged->finished;
    return source;
}

}  // namespace lobos::web
