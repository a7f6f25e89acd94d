#include "lobosq/job/job_exit_status.hpp"

#include <string.h>
#include <sys/wait.h>

namespace lobos {

JobEnd job_end_from_wait_status(int wait_status, const std::optional<std::string>& cancel_reason,
                                JobTime at) {
    JobEnd end;
    end.at = at;
    if (WIFEXITED(wait_status)) {
        end.outcome = JobOutcome::exited;
        end.exit_code = WEXITSTATUS(wait_status);
    } else if (WIFSIGNALED(wait_status)) {
        end.outcome = JobOutcome::signalled;
        end.signal = WTERMSIG(wait_status);
    }
    if (cancel_reason) {
        end.outcome = JobOutcome::cancelled;
        end.reason = cancel_reason->empty() ? "cancelled" : *cancel_reason;
    }
    return end;
}

std::string describe_wait_status(int wait_status) {
    if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) {
        const int signal = WTERMSIG(wait_status);
        std::string text = "signal " + std::to_string(signal);
        if (const char* name = sigdescr_np(signal)) text += std::string(" (") + name + ")";
        return text;
    }
    return "wait status " + std::to_string(wait_status);
}

}  // namespace lobos
