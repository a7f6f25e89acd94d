#pragma once
// The queue as job_status and job_detail.json show it, made from the queue
// and the plan of its last scheduling pass. Pure. Waiting jobs are listed in
// queue order, and job_status's pri column is a waiting job's place in it
// (1 starts first); a running job's pri is 0.

#include <set>
#include <string>
#include <vector>

#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/job_status.hpp"

namespace lobos {

struct QueueReport {
    JobStatus status;
    JobDetail detail;
};

// `plan`: the waiting jobs' estimates in queue order (SchedulePass::waiting);
// a waiting job it does not list comes after, by submission, with no estimate.
QueueReport report_queue(const JobQueue& queue, JobTime now, int free_cpus,
                         const std::vector<WaitingEstimate>& plan, const std::string& writer);

}  // namespace lobos
