#include "lobosq/job_queue.hpp"

#include <algorithm>
#include <tuple>

namespace lobos {

int priority_of(const JobSpec& spec) { return spec.directives.admin ? admin_priority : normal_priority; }

namespace {

std::chrono::seconds etime_of(const Job& job) {
    return std::chrono::minutes(job.spec.directives.etime_minutes);
}

// Queue order: higher priority first, then earlier submission, then id (two
// jobs of one second).
bool before(const Job* a, const Job* b) {
    return std::make_tuple(-priority_of(a->spec), a->spec.submitted, a->spec.id) <
           std::make_tuple(-priority_of(b->spec), b->spec.submitted, b->spec.id);
}

std::string cpus_wanted(const PlacementRequest& r) {
    std::string n = r.nprocs_low == r.nprocs_high
                        ? std::to_string(r.nprocs_low)
                        : std::to_string(r.nprocs_low) + "-" + std::to_string(r.nprocs_high);
    return n + (n == "1" ? " CPU" : " CPUs") + (r.tpip > 1 ? " (" + std::to_string(r.tpip) + " a node)" : "");
}

CpuAvailability everything_free(const std::vector<CpuSlot>& cpus, const std::set<std::string>& up_nodes) {
    CpuAvailability a;
    a.cpus = &cpus;
    a.up_nodes = up_nodes;
    a.free.resize(cpus.size());
    for (std::size_t i = 0; i < cpus.size(); ++i) a.free[i] = up_nodes.count(cpus[i].node) > 0;
    return a;
}

}  // namespace

std::optional<std::string> never_placeable(const JobDirectives& directives, const std::vector<CpuSlot>& cpus,
                                           const PlacementPolicy& place) {
    std::set<std::string> nodes;
    for (const CpuSlot& c : cpus) nodes.insert(c.node);
    const PlacementRequest request = placement_request(directives);
    if (place(request, everything_free(cpus, nodes))) return std::nullopt;
    const int nodes_needed = (request.nprocs_low + request.tpip - 1) / request.tpip;
    std::string reason = "the cluster could never run it: it needs " + std::to_string(request.nprocs_low) +
                         (request.nprocs_low == 1 ? " CPU" : " CPUs") + " on " +
                         std::to_string(nodes_needed) + (nodes_needed == 1 ? " node" : " nodes") + " (TPIP " +
                         std::to_string(request.tpip) + ")";
    if (request.nproc0) reason += " with CPU " + std::to_string(*request.nproc0) + " first";
    return reason + "; the cluster has " + std::to_string(cpus.size()) + " CPUs on " +
           std::to_string(nodes.size()) + " compute nodes";
}

JobQueue::JobQueue(std::vector<CpuSlot> cpus) : cpus_(std::move(cpus)), holders_(cpus_.size(), 0) {}

bool JobQueue::add(Job job) {
    if (jobs_.count(job.spec.id)) return false;
    if (job.state == JobState::ended) return false;
    if (job.state == JobState::running && (!job.placement || !job.started)) return false;
    if (job.state == JobState::running && job.placement) hold(*job.placement, +1);
    std::string id = job.spec.id;
    jobs_.emplace(std::move(id), std::move(job));
    return true;
}

const Job* JobQueue::find(std::string_view id) const {
    auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : &it->second;
}

void JobQueue::hold(const Placement& placement, int delta) {
    for (int number : placement.cpus)
        if (number >= 1 && number <= static_cast<int>(holders_.size())) holders_[number - 1] += delta;
}

CpuAvailability JobQueue::availability(const std::set<std::string>& up_nodes) const {
    CpuAvailability a;
    a.cpus = &cpus_;
    a.up_nodes = up_nodes;
    a.free.resize(cpus_.size());
    for (std::size_t i = 0; i < cpus_.size(); ++i)
        a.free[i] = holders_[i] == 0 && up_nodes.count(cpus_[i].node);
    return a;
}

std::vector<const Job*> JobQueue::waiting_in_order() const {
    std::vector<const Job*> waiting;
    for (const auto& [id, job] : jobs_)
        if (job.state == JobState::waiting) waiting.push_back(&job);
    std::sort(waiting.begin(), waiting.end(), before);
    return waiting;
}

std::vector<std::string> JobQueue::dispatch(JobTime now, const std::set<std::string>& up_nodes,
                                            const PlacementPolicy& place) {
    std::vector<std::string> started;
    bool held_back = false;  // a job that does not fit holds back the normal jobs behind it
    for (const Job* waiting : waiting_in_order()) {
        const JobDirectives& d = waiting->spec.directives;
        if (d.rtime && *d.rtime > now) continue;
        if (held_back && !d.admin) continue;
        const PlacementRequest request = placement_request(d);
        // At once for #ADMIN: any CPU of an up node will do, held or not.
        std::optional<Placement> placement =
            place(request, d.admin ? everything_free(cpus_, up_nodes) : availability(up_nodes));
        if (!placement) {
            // Only a job that could start once others end holds the queue
            // back; one that needs nodes that are down does not.
            if (!d.admin && place(request, everything_free(cpus_, up_nodes))) held_back = true;
            continue;
        }
        Job& job = jobs_.find(waiting->spec.id)->second;
        job.state = JobState::running;
        job.started = now;
        job.placement = std::move(*placement);
        hold(*job.placement, +1);
        started.push_back(job.spec.id);
    }
    return started;
}

std::optional<Job> JobQueue::finish(std::string_view id, JobEnd end) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    Job job = std::move(it->second);
    jobs_.erase(it);
    if (job.state == JobState::running && job.placement) hold(*job.placement, -1);
    job.state = JobState::ended;
    job.end = std::move(end);
    return job;
}

std::vector<std::string> JobQueue::running_on(const std::string& node) const {
    std::vector<std::string> ids;
    for (const auto& [id, job] : jobs_)
        if (job.state == JobState::running && job.placement &&
            std::find(job.placement->nodes.begin(), job.placement->nodes.end(), node) !=
                job.placement->nodes.end())
            ids.push_back(id);
    return ids;
}

std::vector<const Job*> JobQueue::in_order() const {
    std::vector<const Job*> running;
    for (const auto& [id, job] : jobs_)
        if (job.state == JobState::running) running.push_back(&job);
    std::sort(running.begin(), running.end(), [](const Job* a, const Job* b) {
        return std::tie(*a->started, a->spec.id) < std::tie(*b->started, b->spec.id);
    });
    for (const Job* waiting : waiting_in_order()) running.push_back(waiting);
    return running;
}

int JobQueue::free_cpus(const std::set<std::string>& up_nodes) const {
    CpuAvailability a = availability(up_nodes);
    return static_cast<int>(std::count(a.free.begin(), a.free.end(), true));
}

std::vector<WaitingEstimate> JobQueue::plan(JobTime now, const std::set<std::string>& up_nodes,
                                            const PlacementPolicy& place) const {
    // When each CPU is expected to be free: running jobs end at start + ETIME,
    // or now if they are overdue. Waiting jobs are laid on top in queue
    // order, none before the one ahead of it (#ADMIN and #RTIME jobs aside).
    std::vector<JobTime> free_at(cpus_.size(), now);
    for (const auto& [id, job] : jobs_) {
        if (job.state != JobState::running) continue;
        const JobTime end = std::max(now, *job.started + etime_of(job));
        for (int number : job.placement->cpus)
            if (number >= 1 && number <= static_cast<int>(free_at.size()))
                free_at[number - 1] = std::max(free_at[number - 1], end);
    }
    const CpuAvailability now_available = availability(up_nodes);

    std::vector<WaitingEstimate> plan;
    JobTime not_before = now;  // FIFO: no normal job starts before the one ahead
    std::string ahead;         // the normal job ahead, if it cannot start now
    for (const Job* waiting : waiting_in_order()) {
        const JobDirectives& d = waiting->spec.directives;
        const PlacementRequest request = placement_request(d);
        WaitingEstimate e{waiting->spec.id, std::nullopt, {}};
        JobTime earliest = d.admin ? now : not_before;
        if (d.rtime) earliest = std::max(earliest, *d.rtime);

        if (d.admin) {
            if (place(request, everything_free(cpus_, up_nodes))) e.start = earliest;
            e.why = d.rtime && *d.rtime > now ? "waits for its RTIME"
                    : e.start                 ? "starts at once (ADMIN)"
                              : "needs " + cpus_wanted(request) + "; the nodes up now cannot give them";
            plan.push_back(std::move(e));
            continue;
        }

        // The candidate moments: the earliest allowed, and every later moment a CPU frees.
        std::vector<JobTime> moments{earliest};
        for (JobTime t : free_at)
            if (t > earliest) moments.push_back(t);
        std::sort(moments.begin(), moments.end());
        moments.erase(std::unique(moments.begin(), moments.end()), moments.end());
        CpuAvailability at = now_available;  // one copy; only `free` changes per moment
        for (JobTime t : moments) {
            for (std::size_t i = 0; i < cpus_.size(); ++i)
                at.free[i] = now_available.up_nodes.count(cpus_[i].node) > 0 && free_at[i] <= t;
            if (auto p = place(request, at)) {
                e.start = t;
                for (int number : p->cpus) free_at[number - 1] = t + etime_of(*waiting);
                break;
            }
        }

        const bool fits_now = place(request, now_available).has_value();
        if (d.rtime && *d.rtime > now)
            e.why = "waits for its RTIME";
        else if (!ahead.empty() && fits_now)
            e.why = "waits behind " + ahead;
        else if (!e.start)
            e.why = "needs " + cpus_wanted(request) + "; the nodes up now cannot give them";
        else if (d.nproc0 && !now_available.free.empty() && *d.nproc0 >= 1 &&
                 *d.nproc0 <= static_cast<int>(cpus_.size()) && !now_available.free[*d.nproc0 - 1])
            e.why = "NPROC0 CPU " + std::to_string(*d.nproc0) + " is not free";
        else
            e.why = "needs " + cpus_wanted(request) + ", " + std::to_string(free_cpus(up_nodes)) + " free";
        if (!(d.rtime && *d.rtime > now) && e.start) {
            not_before = std::max(not_before, *e.start);
            if (ahead.empty()) ahead = waiting->spec.id;
        }
        plan.push_back(std::move(e));
    }
    return plan;
}

}  // namespace lobos
