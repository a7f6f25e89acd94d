#include "webstatus/content/request_route.hpp"

#include <array>

#include "share/formats/job_id.hpp"

namespace lobos::web {

namespace {

// The page's files, named here so that no other name can reach the table of
// compiled-in assets (and no name ever reaches the file system).
constexpr std::array<std::string_view, 5> asset_names{"app.js", "job.js", "style.css", "map.js", "common.js"};

constexpr std::string_view jobs_prefix = "/api/jobs/";
constexpr std::string_view job_page_prefix = "/jobs/";
// Longer than any path the server answers; anything longer is refused unread.
constexpr std::size_t longest_path = 256;

}  // namespace

bool is_asset_name(std::string_view name) {
    for (std::string_view known : asset_names)
        if (known == name) return true;
    return false;
}

Route route_request(std::string_view method, std::string_view path) {
    Route route;
    if (method == "HEAD")
        route.head = true;
    else if (method != "GET") {
        route.kind = RouteKind::method_not_allowed;
        return route;
    }
    if (path.size() > longest_path) return route;

    if (path == "/" || path == "/index.html") {
        route.kind = RouteKind::page;
    } else if (path == "/api/cluster") {
        route.kind = RouteKind::cluster;
    } else if (path == "/api/status") {
        route.kind = RouteKind::status;
    } else if (path == "/api/nodes") {
        route.kind = RouteKind::nodes;
    } else if (path == "/api/links") {
        route.kind = RouteKind::links;
    } else if (path == "/api/jobs") {
        route.kind = RouteKind::jobs;
    } else if (path == "/metrics") {
        route.kind = RouteKind::metrics;
    } else if (path.starts_with(jobs_prefix)) {
        std::string_view rest = path.substr(jobs_prefix.size());
        RouteKind kind = RouteKind::job;
        if (rest.ends_with("/log")) {
            rest.remove_suffix(4);
            kind = RouteKind::job_log;
        }
        if (is_job_id(rest)) {
            route.kind = kind;
            route.argument = std::string(rest);
        }
    } else if (path.starts_with(job_page_prefix)) {
        const std::string_view id = path.substr(job_page_prefix.size());
        if (is_job_id(id)) {
            route.kind = RouteKind::job_page;
            route.argument = std::string(id);
        }
    } else if (path.size() > 1 && is_asset_name(path.substr(1))) {
        route.kind = RouteKind::asset;
        route.argument = std::string(path.substr(1));
    }
    return route;
}

}  // namespace lobos::web
