#pragma once
// What `lobosq --test-only` tells the user: where and when the job would
// start if it were submitted now, from a plan made with it in the queue.
// Pure.

#include <string>
#include <string_view>

#include "lobosq/scheduler/job_queue.hpp"

namespace lobos {

// "would start now on cpus 1,3 (n01 n02)";
// "would start about Tue Nov 24 18:23:00 on cpus 5,7 (n03 n04); until then: behind ...";
// "would not start with the nodes up now: needs 8 CPUs; ...".
std::string describe_probe(const SchedulePass& pass, std::string_view id, JobTime now);

}  // namespace lobos
