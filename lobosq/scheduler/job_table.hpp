#pragma once
// `lobosq stat`: the queue as a table a person reads at a glance. Pure:
// takes the job detail and the present moment, returns text.

#include <string>

#include "share/formats/job_status.hpp"

namespace lobos {

// Columns: JOBID USER STATE CPUS START ETIME RUN CPUS-HELD, and for a waiting
// job a last column saying why it waits. START is the actual start, or the
// estimated one marked with '~'. An empty queue says so in one line.
std::string format_job_table(const JobDetail& detail, StatusClock::time_point now);

}  // namespace lobos
