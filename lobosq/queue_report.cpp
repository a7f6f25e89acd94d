#include "lobosq/queue_report.hpp"

#include <map>

namespace lobos {

QueueReport report_queue(const JobQueue& queue, JobTime now, const std::set<std::string>& up_nodes,
                         const PlacementPolicy& place, const std::string& writer) {
    std::map<std::string, WaitingEstimate> estimates;
    for (WaitingEstimate& e : queue.plan(now, up_nodes, place)) estimates.emplace(e.id, std::move(e));

    QueueReport r;
    r.status.written = now;
    r.detail.written = now;
    r.detail.writer = writer;
    r.detail.cluster_cpus = queue.cluster_cpus();
    r.detail.free_cpus = queue.free_cpus(up_nodes);
    for (const Job* job : queue.in_order()) {
        const JobDirectives& d = job->spec.directives;
        const bool running = job->state == JobState::running && job->placement;
        const auto etime =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::minutes(d.etime_minutes));
        const auto run = running ? std::chrono::duration_cast<std::chrono::seconds>(now - *job->started)
                                 : std::chrono::seconds(0);

        JobStatusLine line;
        line.id = job->spec.id;
        line.uid = job->spec.uid;
        line.gid = job->spec.gid;
        line.priority = priority_of(job->spec);
        line.cpu_count = running ? static_cast<int>(job->placement->cpus.size()) : d.nprocs_low;
        line.estimated = etime;
        line.actual = std::max(run, std::chrono::seconds(0));

        JobView view;
        view.id = job->spec.id;
        view.user = job->spec.user;
        view.uid = job->spec.uid;
        view.gid = job->spec.gid;
        view.state = running ? "running" : "waiting";
        view.priority = line.priority;
        view.nprocs_low = d.nprocs_low;
        view.nprocs_high = d.nprocs_high;
        view.tpip = d.tpip;
        view.submitted = job->spec.submitted;
        view.etime = etime;
        view.run = line.actual;
        view.dir = job->spec.dir;
        if (running) {
            line.start = *job->started;
            line.cpus = job->placement->cpus;
            view.start = *job->started;
            view.cpus = job->placement->cpus;
            view.nodes = job->placement->distinct_nodes();
        } else if (auto e = estimates.find(job->spec.id); e != estimates.end()) {
            // A job that cannot start with the nodes up now shows the present
            // moment in job_status (the format has no "never").
            line.start = e->second.start.value_or(now);
            view.start = e->second.start;
            view.start_estimated = true;
            view.why = e->second.why;
        }
        r.status.jobs.push_back(std::move(line));
        r.detail.jobs.push_back(std::move(view));
    }
    return r;
}

}  // namespace lobos
