#pragma once
// What a request asks for, decided from its method and path alone, before
// any file is read: the one place where the server's URL space is defined.
// A job id in a path must look like one (share/formats/job_id.hpp); anything else,
// `../` included, is not found. Whether the job exists is the caller's
// question, answered from the status files, never from the path.

#include <string>
#include <string_view>

namespace lobos::web {

enum class RouteKind {
    page,      // /            the status page
    job_page,  // /jobs/ID     one job and its log, live
    asset,     // /app.js ...  a file of share/web
    cluster,   // /api/cluster the configuration: hosts, positions, links
    status,    // /api/status  the status files: age, staleness, problems
    nodes,     // /api/nodes
    links,     // /api/links
    jobs,      // /api/jobs
    job,       // /api/jobs/ID
    job_log,   // /api/jobs/ID/log  server-sent events: the job's ID.log as it grows
    metrics,   // /metrics     Prometheus text
    not_found,
    method_not_allowed,
};

struct Route {
    RouteKind kind = RouteKind::not_found;
    std::string argument;  // the job id, or the asset's name
    bool head = false;     // HEAD: the same headers, no body

    bool operator==(const Route&) const = default;
};

// `path` is the URL-decoded path without the query string.
Route route_request(std::string_view method, std::string_view path);

// The assets the page is made of, by name ("app.js"); false for any other name.
bool is_asset_name(std::string_view name);

}  // namespace lobos::web
