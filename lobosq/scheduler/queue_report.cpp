#include "lobosq/scheduler/queue_report.hpp"

#include <map>

namespace lobos {

QueueReport report_queue(const JobQueue& queue, JobTime now, int free_cpus,
                         const std::vector<WaitingEstimate>& plan, const std::string& writer) {
    std::map<std::string, const WaitingEstimate*, std::less<>> estimates;
    for (const WaitingEstimate& e : plan) estimates.emplace(e.id, &e);
    // Running jobs by start, then the waiting ones in the plan's order, then
    // any the plan has not seen (it was made before they came).
    std::vector<const Job*> jobs, unplanned;
    for (const Job* job : queue.in_order()) {
        if (job->state == JobState::running)
            jobs.push_back(job);
        else if (!estimates.count(job->spec.id))
            unplanned.push_back(job);
    }
    for (const WaitingEstimate& e : plan)
        if (const Job* job = queue.find(e.id); job && job->state == JobState::waiting) jobs.push_back(job);
    jobs.insert(jobs.end(), unplanned.begin(), unplanned.end());

    QueueReport r;
    r.status.written = now;
    r.detail.written = now;
    r.detail.writer = writer;
    r.detail.cluster_cpus = queue.cluster_cpus();
    r.detail.free_cpus = free_cpus;
    int next_rank = static_cast<int>(plan.size());
    for (const Job* job : jobs) {
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
        auto e = estimates.find(job->spec.id);
        line.priority = running ? 0 : e != estimates.end() ? e->second->rank : ++next_rank;
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
        } else if (e != estimates.end()) {
            // A job that cannot start with the nodes up now shows the present
            // moment in job_status (the format has no "never").
            line.start = e->second->start.value_or(now);
            view.start = e->second->start;
            view.start_estimated = true;
            view.why = e->second->why;
        } else {
            line.start = now;
            view.why.code = WaitCode::not_planned;
        }
        r.status.jobs.push_back(std::move(line));
        r.detail.jobs.push_back(std::move(view));
    }
    return r;
}

}  // namespace lobos
