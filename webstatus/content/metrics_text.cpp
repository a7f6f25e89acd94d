#include "webstatus/content/metrics_text.hpp"

#include <cstdio>

#include "webstatus/content/node_view.hpp"

namespace lobos::web {

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    char number[40];
    std::snprintf(number, sizeof number, " %.17g\n", value);
    out += number;
}

std::string label(std::string_view name, std::string_view value) {
    return std::string(name) + "=\"" + metrics_label_value(value) + "\"";
}

}  // namespace

std::string metrics_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string metrics_text(const StatusSnapshot& snapshot, WallTime now) {
    std::string out;
    const std::vector<NodeView> nodes = node_views(snapshot);
    const std::vector<LinkView> links = link_views(snapshot);
    out.reserve(256 + nodes.size() * 64 + links.size() * 80);

    int up = 0, down = 0, unknown = 0, busy = 0, free = 0;
    for (const NodeView& view : nodes) {
        if (view.node->is_hub()) continue;  // a switch: it has no heartbeat of its own
        (view.health == Health::up ? up : view.health == Health::down ? down : unknown)++;
        busy += view.cpus_busy;
        free += view.cpus_free;
    }
    family(out, "lobos_nodes", "gauge", "Hosts (compute nodes and masters) by state in node_status.");
    sample(out, "lobos_nodes", "state=\"up\"", up);
    sample(out, "lobos_nodes", "state=\"down\"", down);
    sample(out, "lobos_nodes", "state=\"unknown\"", unknown);

    family(out, "lobos_node_up", "gauge", "1 when node_status shows the host up, 0 when down.");
    for (const NodeView& view : nodes)
        if (!view.node->is_hub() && view.health != Health::unknown)
            sample(out, "lobos_node_up",
                   label("node", view.node->name) + "," +
                       label("kind", view.node->is_master() ? "master" : "compute"),
                   view.health == Health::up ? 1 : 0);

    int links_up = 0, links_down = 0, links_unknown = 0;
    for (const LinkView& view : links)
        (view.health == Health::up ? links_up : view.health == Health::down ? links_down : links_unknown)++;
    family(out, "lobos_links", "gauge", "Links by state in node_status.");
    sample(out, "lobos_links", "state=\"up\"", links_up);
    sample(out, "lobos_links", "state=\"down\"", links_down);
    sample(out, "lobos_links", "state=\"unknown\"", links_unknown);

    family(out, "lobos_link_up", "gauge", "1 when node_status shows the link up, 0 when down.");
    for (const LinkView& view : links)
        if (view.health != Health::unknown)
            sample(out, "lobos_link_up",
                   label("name1", view.link->name1) + "," + label("name2", view.link->name2),
                   view.health == Health::up ? 1 : 0);

    family(out, "lobos_cpus", "gauge",
           "CPUs of compute nodes: busy (held by running jobs) and free (on up nodes, held by none).");
    sample(out, "lobos_cpus", "state=\"busy\"", busy);
    sample(out, "lobos_cpus", "state=\"free\"", free);

    int running = 0, waiting = 0;
    if (snapshot.job_detail) {
        for (const JobView& job : snapshot.job_detail->jobs) (job.state == "running" ? running : waiting)++;
    } else if (snapshot.job_status) {
        for (const JobStatusLine& line : snapshot.job_status->jobs) (line.cpus.empty() ? waiting : running)++;
    }
    family(out, "lobos_jobs", "gauge", "Jobs in the queue by state.");
    sample(out, "lobos_jobs", "state=\"running\"", running);
    sample(out, "lobos_jobs", "state=\"waiting\"", waiting);

    family(out, "lobos_heartbeat_datagrams_dropped_total", "counter",
           "Heartbeat datagrams the primary master dropped, by reason (from node_detail.json).");
    if (snapshot.node_detail)
        for (const auto& [reason, count] : snapshot.node_detail->dropped)
            sample(out, "lobos_heartbeat_datagrams_dropped_total", label("reason", reason),
                   static_cast<double>(count));

    const Freshness f = freshness(snapshot, now);
    if (f.age_seconds) {
        family(out, "lobos_node_status_age_seconds", "gauge",
               "Seconds since node_status was last rewritten.");
        sample(out, "lobos_node_status_age_seconds", "", *f.age_seconds);
    }
    family(out, "lobos_status_stale", "gauge",
           "1 when node_status is missing or older than its staleness limit (3 heartbeats, at least 3 s).");
    sample(out, "lobos_status_stale", "", f.stale ? 1 : 0);

    family(out, "lobos_status_file_problem", "gauge",
           "1 when a status file is missing or does not parse (the last good copy is shown).");
    for (const FileReport* file : snapshot.files())
        sample(out, "lobos_status_file_problem", label("file", file->name), file->problem.empty() ? 0 : 1);
    return out;
}

}  // namespace lobos::web
