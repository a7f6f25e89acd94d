#pragma once
// The job page: share/web/job.html with the job's id put in, escaped. The
// id was checked to be a job id before, but what goes into markup is
// escaped whatever it is. Pure.

#include <string>
#include <string_view>

namespace lobos::web {

// Every "{{JOB_ID}}" of `page` replaced by the escaped id.
std::string job_page(std::string_view page, std::string_view id);

}  // namespace lobos::web
