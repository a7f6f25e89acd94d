#pragma once
// The queue daemon's durable record of one job (ROOT/queue/ID.json): the
// whole Job as JSON. Pure codec; times are nanoseconds since the epoch.

#include <optional>
#include <string>
#include <string_view>

#include "lobosq/job/job.hpp"

namespace lobos {

std::string encode_job(const Job& job);
// nullopt and `error` naming the field when the text is not a job record.
std::optional<Job> decode_job(std::string_view text, std::string& error);

}  // namespace lobos
