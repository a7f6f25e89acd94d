#pragma once
// How a job ended, from the wait status of its script's process (the
// process the shepherd started; the rest of the job's processes are killed
// when it ends, as Slurm does). Pure.

#include <optional>
#include <string>

#include "lobosq/job/job.hpp"

namespace lobos {

// A job that was cancelled ends `cancelled` with `cancel_reason`, whatever
// its script did when the signal came (the exit code or signal is kept for
// the curious); otherwise `exited` with the exit code, or `signalled` with
// the signal.
JobEnd job_end_from_wait_status(int wait_status, const std::optional<std::string>& cancel_reason, JobTime at);

// "exit status 3", "signal 9 (Killed)": the wait status of a process other
// than the script (a shepherd) in words.
std::string describe_wait_status(int wait_status);

}  // namespace lobos
