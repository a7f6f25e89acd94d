#include "lobosq/scheduler/probe_answer.hpp"

#include "share/formats/local_time.hpp"

namespace lobos {

std::string describe_probe(const SchedulePass& pass, std::string_view id, JobTime now) {
    for (const WaitingEstimate& e : pass.waiting) {
        if (e.id != id) continue;
        if (!e.start) return "would not start with the nodes up now: " + e.why;
        std::string where;
        if (e.cpus) {
            where = " on cpus " + format_cpu_list(e.cpus->cpus) + " (";
            const std::vector<std::string> nodes = e.cpus->distinct_nodes();
            for (std::size_t i = 0; i < nodes.size(); ++i) where += (i ? " " : "") + nodes[i];
            where += ")";
        }
        if (*e.start <= now && e.why.empty()) return "would start now" + where;
        std::string when;
        append_asctime_date(when, *e.start);
        return "would start about " + when + where + "; until then: " + e.why;
    }
    return "the plan has no place for it";
}

}  // namespace lobos
