#include "lobosq/scheduler/probe_answer.hpp"

#include "lobosq/job/job_json.hpp"
#include "share/formats/local_time.hpp"

namespace lobos {

using namespace job_json;

ProbeEstimate estimate_probe(const SchedulePass& pass, std::string_view id, JobTime now) {
    ProbeEstimate estimate;
    for (const WaitingEstimate& e : pass.waiting) {
        if (e.id != id) continue;
        estimate.planned = true;
        estimate.start = e.start;
        estimate.starts_now = e.start && *e.start <= now && !e.why.waits();
        if (e.cpus) {
            estimate.cpus = e.cpus->cpus;
            estimate.nodes = e.cpus->distinct_nodes();
        }
        estimate.why = e.why;
        break;
    }
    return estimate;
}

std::string encode_probe_estimate(const ProbeEstimate& estimate) {
    json nodes = json::array();
    for (const std::string& node : estimate.nodes) nodes.push_back(text_value(node));
    return json{
        {"planned", estimate.planned},
        {"starts_now", estimate.starts_now},
        {"start", optional_time_value(estimate.start)},
        {"cpus", estimate.cpus},
        {"nodes", std::move(nodes)},
        {"why", wait_reason_json(estimate.why)},
    }
        .dump();
}

std::optional<ProbeEstimate> decode_probe_estimate(std::string_view text, std::string& error) {
    return decode(text, error, [](const json& document) {
        ProbeEstimate estimate;
        estimate.planned = boolean_at(document, "planned", "");
        estimate.starts_now = boolean_at(document, "starts_now", "");
        estimate.start = optional_time_at(document, "start", "");
        const json& cpus = array_at(document, "cpus", "");
        for (std::size_t i = 0; i < cpus.size(); ++i)
            estimate.cpus.push_back(integer_of<int>(cpus[i], element_path("cpus", i)));
        const json& nodes = array_at(document, "nodes", "");
        for (std::size_t i = 0; i < nodes.size(); ++i)
            estimate.nodes.push_back(text_of(nodes[i], element_path("nodes", i)));
        estimate.why = read_wait_reason(member(document, "why", ""), "why");
        return estimate;
    });
}

std::string describe_probe(const ProbeEstimate& e, JobTime now) {
    if (!e.planned) return "the plan has no place for it";
    if (!e.start) return "would not start with the nodes up now: " + render_wait_reason(e.why, now);
    std::string where;
    if (!e.cpus.empty()) {
        where = " on cpus " + format_cpu_list(e.cpus) + " (";
        for (std::size_t i = 0; i < e.nodes.size(); ++i) where += (i ? " " : "") + e.nodes[i];
        where += ")";
    }
    if (e.starts_now) return "would start now" + where;
    std::string when;
    append_asctime_date(when, *e.start);
    return "would start about " + when + where + "; until then: " + render_wait_reason(e.why, now);
}

std::string describe_probe(const SchedulePass& pass, std::string_view id, JobTime now) {
    return describe_probe(estimate_probe(pass, id, now), now);
}

}  // namespace lobos
