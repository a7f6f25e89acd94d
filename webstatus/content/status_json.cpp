#include "webstatus/content/status_json.hpp"

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "share/formats/wait_reason.hpp"
#include "webstatus/content/node_view.hpp"

namespace lobos::web {

namespace {

using nlohmann::json;

json unix_seconds(WallTime when) {
    const auto ms = std::chrono::floor<std::chrono::milliseconds>(when.time_since_epoch()).count();
    if (ms % 1000 == 0) return ms / 1000;
    return static_cast<double>(ms) / 1000.0;
}

template <class T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

// Measured values to a thousandth: more digits are noise and bytes on every poll.
json rounded(const std::optional<double>& value) {
    return value ? json(std::round(*value * 1000.0) / 1000.0) : json(nullptr);
}

json optional_time(const std::optional<WallTime>& when) { return when ? unix_seconds(*when) : json(nullptr); }

std::string_view kind_of(const Node& node) {
    if (node.is_hub()) return "hub";
    return node.is_master() ? "master" : "compute";
}

std::string_view kind_of(const Link& link) {
    switch (link.kind) {
        case LinkKind::direct:
            return "direct";
        case LinkKind::hub:
            return "hub";
        case LinkKind::master_mesh:
            return "master_mesh";
    }
    return "direct";
}

// User text (ids, names, directories) may hold bytes that are not UTF-8;
// they show as U+FFFD rather than break the document.
std::string dump(const json& document) {
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

// What every body says about how fresh it is.
void add_freshness(json& document, const StatusSnapshot& snapshot, WallTime now) {
    const Freshness f = freshness(snapshot, now);
    document["now"] = unix_seconds(now);
    document["age"] = rounded(f.age_seconds);
    document["stale"] = f.stale;
}

// The reason a job waits as data (times in unix seconds, as everywhere in
// this API) and as text in this server's time zone, which the page shows.
json reason_json(const WaitReason& why) {
    json reason = wait_reason_json(why);
    if (reason.contains("when")) reason["when"] = unix_seconds(why.when);
    return reason;
}

json job_object(const JobView& job, WallTime now) {
    const std::string nprocs = job.nprocs_low == job.nprocs_high
                                   ? std::to_string(job.nprocs_low)
                                   : std::to_string(job.nprocs_low) + "-" + std::to_string(job.nprocs_high);
    return json{
        {"id", job.id},
        {"user", job.user},
        {"uid", job.uid},
        {"state", job.state},
        {"priority", job.priority},
        {"nprocs", nprocs},
        {"tpip", job.tpip},
        {"cpus", job.cpus},
        {"nodes", job.nodes},
        {"submitted", unix_seconds(job.submitted)},
        {"start", job.start ? unix_seconds(*job.start) : json(nullptr)},
        {"start_estimated", job.start_estimated},
        {"etime", job.etime.count()},
        {"run", job.run.count()},
        {"why", render_wait_reason(job.why, now)},
        {"reason", reason_json(job.why)},
    };
}

// A job as job_status alone tells it, when job_detail.json is missing.
json job_object(const JobStatusLine& line) {
    const std::size_t dot = line.id.rfind('.');
    const bool running = !line.cpus.empty();
    return json{
        {"id", line.id},
        {"user", dot == std::string::npos ? std::string() : line.id.substr(0, dot)},
        {"uid", line.uid},
        {"state", running ? "running" : "waiting"},
        {"priority", line.priority},
        {"nprocs", std::to_string(line.cpu_count)},
        {"tpip", nullptr},
        {"cpus", line.cpus},
        {"nodes", json::array()},
        {"submitted", nullptr},
        {"start", unix_seconds(line.start)},
        {"start_estimated", !running},
        {"etime", line.estimated.count()},
        {"run", line.actual.count()},
        {"why", ""},
        {"reason", nullptr},  // job_status does not say
    };
}

json file_object(const FileReport& file) {
    return json{{"name", file.name},
                {"present", file.present},
                {"modified", optional_time(file.modified)},
                {"has_data", file.has_data},
                {"problem", file.problem}};
}

}  // namespace

std::string cluster_json(const ClusterView& cluster) {
    const ClusterConfig& config = cluster.config;
    json nodes = json::array();
    for (const Node& node : config.nodes)
        nodes.push_back(json{{"name", node.name},
                             {"id", node.id},
                             {"kind", kind_of(node)},
                             {"rank", node.master_rank()},
                             {"ip", node.is_hub() ? std::string() : node.ip},
                             {"cpus", node.cpus},
                             {"speed", node.speed},
                             {"ram_mb", node.ram_mb},
                             {"logical", {node.logical.x, node.logical.y}},
                             {"physical", {node.physical.x, node.physical.y}}});
    json links = json::array();
    for (const Link& link : config.links)
        links.push_back(json{{"name1", link.name1}, {"name2", link.name2}, {"kind", kind_of(link)}});
    return dump(json{{"heartbeat", config.pulse.heartbeat.count()},
                     {"node_timeout", config.pulse.node_timeout.count()},
                     {"link_timeout", config.pulse.link_timeout.count()},
                     {"stale_after", cluster.stale_after.count()},
                     {"cpus", config.compute_cpus()},
                     {"nodes", std::move(nodes)},
                     {"links", std::move(links)}});
}

std::string status_json(const StatusSnapshot& snapshot, WallTime now) {
    json files = json::array();
    for (const FileReport* file : snapshot.files()) files.push_back(file_object(*file));
    json document{{"stale_after", snapshot.cluster->stale_after.count()}, {"files", std::move(files)}};
    add_freshness(document, snapshot, now);
    if (snapshot.node_detail) {
        document["writer"] = snapshot.node_detail->writer;
        document["epoch"] = snapshot.node_detail->epoch;
    } else {
        document["writer"] = nullptr;
        document["epoch"] = nullptr;
    }
    return dump(document);
}

std::string nodes_json(const StatusSnapshot& snapshot, WallTime now) {
    json nodes = json::array();
    for (const NodeView& view : node_views(snapshot))
        nodes.push_back(json{{"name", view.node->name},
                             {"kind", kind_of(*view.node)},
                             {"state", health_name(view.health)},
                             {"since", optional_time(view.since)},
                             {"last_heard", optional_time(view.last_heard)},
                             {"cpus", view.node->cpus},
                             {"cpus_busy", view.cpus_busy},
                             {"cpus_free", view.cpus_free},
                             {"cpus_online", optional_json(view.cpus_online)},
                             {"utilisation", rounded(view.utilisation)},
                             {"load", rounded(view.load_average)},
                             {"memory_free", optional_json(view.memory_free)},
                             {"memory_total", optional_json(view.memory_total)},
                             {"disk_free", optional_json(view.disk_free)},
                             {"disk_total", optional_json(view.disk_total)},
                             {"jobs", view.jobs}});
    json document{{"nodes", std::move(nodes)}};
    add_freshness(document, snapshot, now);
    return dump(document);
}

std::string links_json(const StatusSnapshot& snapshot, WallTime now) {
    json links = json::array();
    for (const LinkView& view : link_views(snapshot))
        links.push_back(json{{"name1", view.link->name1},
                             {"name2", view.link->name2},
                             {"ip1", view.ip1},
                             {"ip2", view.ip2},
                             {"kind", kind_of(*view.link)},
                             {"state", health_name(view.health)},
                             {"since", optional_time(view.since)}});
    json document{{"links", std::move(links)}};
    add_freshness(document, snapshot, now);
    return dump(document);
}

std::string jobs_json(const StatusSnapshot& snapshot, WallTime now) {
    json jobs = json::array();
    int running = 0;
    int waiting = 0;
    if (snapshot.job_detail) {
        for (const JobView& job : snapshot.job_detail->jobs) jobs.push_back(job_object(job, now));
    } else if (snapshot.job_status) {
        for (const JobStatusLine& line : snapshot.job_status->jobs) jobs.push_back(job_object(line));
    }
    for (const json& job : jobs) (job["state"] == "running" ? running : waiting)++;
    json document{{"jobs", std::move(jobs)}, {"running", running}, {"waiting", waiting}};
    document["cluster_cpus"] = snapshot.cluster->config.compute_cpus();
    document["free_cpus"] = snapshot.job_detail ? json(snapshot.job_detail->free_cpus) : json(nullptr);
    add_freshness(document, snapshot, now);
    return dump(document);
}

std::optional<std::string> job_json(const StatusSnapshot& snapshot, std::string_view id, WallTime now) {
    const JobLogEntry* logged = snapshot.job_log ? snapshot.job_log->find(id) : nullptr;
    std::optional<json> job;
    std::string dir;
    if (snapshot.job_detail)
        for (const JobView& view : snapshot.job_detail->jobs)
            if (view.id == id) {
                job = job_object(view, now);
                dir = view.dir;
            }
    if (!job && snapshot.job_status)
        for (const JobStatusLine& line : snapshot.job_status->jobs)
            if (line.id == id) job = job_object(line);
    if (!job && !logged) return std::nullopt;
    if (!job) {
        // Gone from the queue: what job.log says.
        job = json{{"id", id},
                   {"user", logged->user},
                   {"uid", optional_json(logged->uid)},
                   {"state", logged->finished ? "ended" : "unknown"}};
    }
    if (dir.empty() && logged) dir = logged->dir;
    (*job)["dir"] = dir;
    (*job)["events"] = logged ? json(logged->events) : json::array();
    (*job)["log"] = "/api/jobs/" + std::string(id) + "/log";
    json document{{"job", std::move(*job)}};
    add_freshness(document, snapshot, now);
    return dump(document);
}

}  // namespace lobos::web
