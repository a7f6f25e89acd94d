#include <chrono>
#include <iostream>

#include "lobosq/command/commands.hpp"
#include "lobosq/command/daemon_request.hpp"
#include "lobosq/job/spool_entry.hpp"
#include "share/formats/job_id.hpp"

namespace lobos {

int cancel_jobs(const ClusterConfig& config, const ClusterPaths& paths, const std::vector<std::string>& ids,
                std::ostream& out, std::ostream& err) {
    if (ids.empty()) {
        err << "lobosq: can: which job? (lobosq can ID)\n";
        return exit_refused;
    }
    const auto patience = daemon_patience(config);
    int status = exit_ok;
    for (const std::string& id : ids) {
        if (!is_job_id(id)) {
            err << "lobosq: can: '" << id << "' is not a job id (user.yymmddhhmmss)\n";
            status = std::max(status, exit_refused);
            continue;
        }
        const DaemonReply reply = ask_queue_daemon(
            config, paths, cancel_prefix,
            [&](const std::optional<WakeUpAddress>& reply_to) {
                return encode_cancel_request(CancelRequest{id, reply_to});
            },
            patience);
        if (!reply.error.empty()) {
            err << "lobosq: can " << id << ": " << reply.error << "\n";
            return exit_failure;
        }
        const std::optional<CancelAnswer>& answer = reply.answer;
        if (!answer) {
            err << "lobosq: can " << id << ": the queue daemon has not answered in "
                << std::chrono::duration_cast<std::chrono::seconds>(patience).count()
                << " s; the request stays queued and is carried out when it runs\n";
            status = std::max(status, exit_no_answer);
            continue;
        }
        if (answer->ok) {
            out << "lobosq: " << answer->message << "\n";
        } else {
            err << "lobosq: can " << id << ": " << answer->message << "\n";
            status = std::max(status, exit_failure);
        }
    }
    return status;
}

}  // namespace lobos
