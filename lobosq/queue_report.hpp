#pragma once
// The queue as job_status and job_detail.json show it, made from the queue
// and its plan at one moment. Pure.

#include <set>
#include <string>

#include "lobosq/job_queue.hpp"
#include "share/job_status.hpp"

namespace lobos {

struct QueueReport {
    JobStatus status;
    JobDetail detail;
};

QueueReport report_queue(const JobQueue& queue, JobTime now, const std::set<std::string>& up_nodes,
                         const PlacementPolicy& place, const std::string& writer);

}  // namespace lobos
