#include <algorithm>
#include <iostream>

#include "lobosq/command/commands.hpp"
#include "lobosq/job/spool_entry.hpp"
#include "lobosq/scheduler/job_table.hpp"
#include "share/formats/job_id.hpp"
#include "share/formats/job_status.hpp"
#include "share/io/atomic_file.hpp"

namespace lobos {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Submissions in the spool that no queue daemon has taken yet.
int pending_submissions(const ClusterPaths& paths) {
    int pending = 0;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(paths.spool(), ec)) {
        const std::string name = e.path().filename().string();
        pending += !name.starts_with('.') && name.ends_with(submission_suffix);
    }
    return pending;
}

}  // namespace

int show_queue(const ClusterPaths& paths, const std::vector<std::string>& ids, std::ostream& out,
               std::ostream& err) {
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(paths.job_detail());
    } catch (const std::exception& e) {
        err << "lobosq: " << e.what() << "\n";
        return exit_failure;
    }
    if (!text) {
        err << "lobosq: " << paths.job_detail().string()
            << " does not exist: no queue daemon has run on this cluster root yet\n";
        return exit_failure;
    }
    std::string error;
    auto detail = parse_job_detail(*text, error);
    if (!detail) {
        err << "lobosq: " << paths.job_detail().string() << ": " << error << "\n";
        return exit_failure;
    }
    const auto now = StatusClock::now();
    int status = exit_ok;
    if (!ids.empty()) {
        std::vector<JobView> chosen;
        for (const std::string& id : ids) {
            auto it = std::find_if(detail->jobs.begin(), detail->jobs.end(),
                                   [&](const JobView& j) { return j.id == id; });
            std::error_code ec;
            if (it != detail->jobs.end())
                chosen.push_back(*it);
            else if (!is_job_id(id)) {
                err << "lobosq: stat: '" << id << "' is not a job id (user.yymmddhhmmss)\n";
                status = exit_refused;
            } else if (fs::exists(paths.queue_dir() / "ended" / (id + ".json"), ec)) {
                err << "lobosq: " << id << " has ended (job.log says how)\n";
                status = std::max(status, exit_failure);
            } else if (fs::exists(paths.spool() / (id + std::string(submission_suffix)), ec)) {
                err << "lobosq: " << id << " is submitted; the queue daemon has not taken it yet\n";
            } else {
                err << "lobosq: there is no job " << id << "\n";
                status = std::max(status, exit_failure);
            }
        }
        if (chosen.empty()) return status;
        detail->jobs = std::move(chosen);
    }
    out << format_job_table(*detail, now);
    // A queue daemon that has stopped writing leaves an old picture behind: say so.
    if (now - detail->written > 10s)
        out << "note: written "
            << std::chrono::duration_cast<std::chrono::seconds>(now - detail->written).count() << " s ago by "
            << detail->writer << "; is a queue daemon (lobosqd) running?\n";
    if (ids.empty())
        if (int pending = pending_submissions(paths))
            out << "note: " << pending << " submission" << (pending == 1 ? "" : "s")
                << " not yet taken by the queue daemon\n";
    return status;
}

}  // namespace lobos
