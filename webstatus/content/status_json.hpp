#pragma once
// The JSON API's bodies, made from a snapshot and the time of the request.
// Pure: no files, no clock. Times are unix seconds (with milliseconds), as
// in node_detail.json and job_detail.json, so a browser reads them as they
// are; sizes are bytes; durations seconds. The fields are documented in the
// README (webstatus section).

#include <optional>
#include <string>
#include <string_view>

#include "webstatus/content/status_snapshot.hpp"

namespace lobos::web {

std::string cluster_json(const ClusterView& cluster);                   // /api/cluster
std::string status_json(const StatusSnapshot& snapshot, WallTime now);  // /api/status
std::string nodes_json(const StatusSnapshot& snapshot, WallTime now);   // /api/nodes
std::string links_json(const StatusSnapshot& snapshot, WallTime now);   // /api/links
std::string jobs_json(const StatusSnapshot& snapshot, WallTime now);    // /api/jobs
// /api/jobs/ID: nullopt when neither the queue's files nor job.log know the id.
std::optional<std::string> job_json(const StatusSnapshot& snapshot, std::string_view id, WallTime now);

}  // namespace lobos::web
