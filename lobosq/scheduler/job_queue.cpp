#include "lobosq/scheduler/job_queue.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <unordered_map>

#include "lobosq/scheduler/reservation_profile.hpp"

namespace lobos {

int priority_of(const JobSpec& spec) { return spec.directives.admin ? admin_priority : normal_priority; }

namespace {

// Queue order: higher priority first, then earlier submission, then id (two
// jobs of one second).
bool before(const Job* a, const Job* b) {
    return std::make_tuple(-priority_of(a->spec), a->spec.submitted, a->spec.id) <
           std::make_tuple(-priority_of(b->spec), b->spec.submitted, b->spec.id);
}

// A job that waits for CPUs: what it asks for, what is free, and the nodes that cannot give any.
WaitReason wanting(WaitCode code, const PlacementRequest& r, int free_cpus, const NodeFaults& faults) {
    WaitReason why;
    why.code = code;
    why.nprocs_low = r.nprocs_low;
    why.nprocs_high = r.nprocs_high;
    why.tpip = r.tpip;
    why.free_cpus = free_cpus;
    why.faults = faults;
    return why;
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

std::chrono::seconds reserved_span(const JobDirectives& directives) {
    const auto etime = std::chrono::seconds(std::chrono::minutes(directives.etime_minutes));
    const int doubt = 100 - std::clamp(directives.confidence, 0, 100);
    return etime + etime * doubt / 100;
}

std::optional<JobTime> limit_time(const Job& job, const ScheduleRules& rules) {
    if (rules.etime_limit <= 0 || !job.started) return std::nullopt;
    const double seconds = 60.0 * job.spec.directives.etime_minutes * rules.etime_limit;
    return *job.started + std::chrono::seconds(static_cast<long long>(std::ceil(seconds)));
}

JobTime expected_end(const Job& job, JobTime now, const ScheduleRules& rules) {
    const JobTime started = job.started.value_or(now);
    JobTime end = started + reserved_span(job.spec.directives);
    const std::optional<JobTime> limit = limit_time(job, rules);
    if (limit) end = std::min(end, *limit);
    if (end > now) return end;
    if (limit) return std::max(now, *limit);
    return now + std::chrono::minutes(1);
}

JobQueue::JobQueue(std::vector<CpuSlot> cpus, ScheduleRules rules)
    : rules_(rules), cpus_(std::move(cpus)), holders_(cpus_.size(), 0) {
    for (std::size_t i = 0; i < cpus_.size(); ++i) {
        if (i == 0 || cpus_[i].node != cpus_[i - 1].node) ++node_count_;
        node_index_.push_back(node_count_ - 1);
    }
}

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

std::optional<Job> JobQueue::finish(std::string_view id, JobEnd end) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    Job job = std::move(it->second);
    jobs_.erase(it);
    promised_.erase(job.spec.id);
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

std::vector<std::string> JobQueue::over_limit(JobTime now) const {
    std::vector<std::string> ids;
    for (const auto& [id, job] : jobs_)
        if (job.state == JobState::running)
            if (auto limit = limit_time(job, rules_); limit && *limit <= now) ids.push_back(id);
    return ids;
}

namespace {

// The free CPUs of one pass: those of up, healthy nodes that no job holds
// and no job started in this pass has taken. Kept as a list because on a
// busy cluster it is short, and every waiting job looks at it.
class FreeNow {
public:
    FreeNow(std::vector<bool> free, const std::vector<int>& node_index, int nodes)
        : free_(std::move(free)), node_index_(&node_index), per_node_(static_cast<std::size_t>(nodes), 0) {
        for (std::size_t i = 0; i < free_.size(); ++i)
            if (free_[i]) list_.push_back(static_cast<int>(i) + 1);
    }

    bool operator[](int number) const { return free_[static_cast<std::size_t>(number - 1)]; }
    const std::vector<bool>& mask() const { return free_; }
    void take(const std::vector<int>& cpus) {
        for (int cpu : cpus)
            if (cpu >= 1 && cpu <= static_cast<int>(free_.size()))
                free_[static_cast<std::size_t>(cpu - 1)] = false;
        std::erase_if(list_, [this](int cpu) { return !free_[static_cast<std::size_t>(cpu - 1)]; });
    }
    int count() const { return static_cast<int>(list_.size()); }

    // Necessary for a placement of `request` on the free CPUs that `allowed`
    // accepts: no node gives more than TPIP CPUs. Cheap, so the placement
    // policy is asked only when it may say yes.
    template <class Allowed>
    bool may_fit(const PlacementRequest& request, Allowed allowed) {
        if (static_cast<int>(list_.size()) < request.nprocs_low) return false;
        if (request.nproc0 && (*request.nproc0 < 1 || *request.nproc0 > static_cast<int>(free_.size()) ||
                               !(*this)[*request.nproc0] || !allowed(*request.nproc0)))
            return false;
        int total = 0;
        touched_.clear();
        for (int cpu : list_) {
            if (!allowed(cpu)) continue;
            const int node = (*node_index_)[static_cast<std::size_t>(cpu - 1)];
            int& on_node = per_node_[static_cast<std::size_t>(node)];
            if (on_node == 0) touched_.push_back(node);
            if (on_node++ < request.tpip && ++total >= request.nprocs_low) break;
        }
        for (int node : touched_) per_node_[static_cast<std::size_t>(node)] = 0;
        return total >= request.nprocs_low;
    }

private:
    std::vector<bool> free_;
    const std::vector<int>* node_index_;
    std::vector<int> list_;
    std::vector<int> per_node_;
    std::vector<int> touched_;
};

}  // namespace

SchedulePass JobQueue::plan(JobTime now, const ClusterView& view, const PlacementPolicy& place,
                            const WaitingOrder& order) const {
    const std::size_t count = cpus_.size();
    std::vector<bool> usable(count, false), free(count, false);
    for (std::size_t i = 0; i < count; ++i) {
        usable[i] = view.up_nodes.count(cpus_[i].node) > 0 &&
                    (view.healthy.empty() || (i < view.healthy.size() && view.healthy[i]));
        free[i] = usable[i] && holders_[i] == 0;
    }
    std::vector<JobTime> busy_until(count, now);
    std::map<uid_t, int> running_jobs;                  // per user, for the cap
    std::map<uid_t, std::set<std::string>> user_nodes;  // where each user runs
    for (const auto& [id, job] : jobs_) {
        if (job.state != JobState::running || !job.placement) continue;
        const JobTime end = expected_end(job, now, rules_);
        for (int number : job.placement->cpus)
            if (number >= 1 && number <= static_cast<int>(count))
                busy_until[static_cast<std::size_t>(number - 1)] =
                    std::max(busy_until[static_cast<std::size_t>(number - 1)], end);
        ++running_jobs[job.spec.uid];
        for (const std::string& node : job.placement->nodes) user_nodes[job.spec.uid].insert(node);
    }
    ReservationProfile profile(cpus_, usable, std::move(busy_until));
    FreeNow free_now(std::move(free), node_index_, node_count_);

    std::vector<const Job*> admins, normal;
    for (const Job* job : waiting_in_order()) (job->spec.directives.admin ? admins : normal).push_back(job);
    if (order) order(normal);

    SchedulePass pass;
    int rank = 0;
    auto start_now = [&](const Job& job, WaitingEstimate& e, Placement placement) {
        e.start = now;
        free_now.take(placement.cpus);
        profile.occupy(placement.cpus, now + reserved_span(job.spec.directives));
        ++running_jobs[job.spec.uid];
        for (const std::string& node : placement.nodes) user_nodes[job.spec.uid].insert(node);
        e.cpus = std::move(placement);
        pass.started.push_back(job.spec.id);
    };

    for (const Job* job : admins) {
        const JobDirectives& d = job->spec.directives;
        WaitingEstimate e{job->spec.id, ++rank, std::nullopt, std::nullopt, {}};
        if (d.rtime && *d.rtime > now) {
            e.start = *d.rtime;
            e.why = held_until(*d.rtime);
        } else {
            // At once: any usable CPU will do, held or not.
            CpuAvailability any{&cpus_, usable, view.up_nodes};
            const PlacementRequest request = placement_request(d);
            if (auto placement = place(request, any))
                start_now(*job, e, std::move(*placement));
            else
                e.why = wanting(WaitCode::cannot_place, request, 0, view.faults);
        }
        pass.waiting.push_back(std::move(e));
    }

    // The promises of the last pass, per CPU, with the place of their job in
    // this pass's order: a job that starts now must clear the promises of
    // the jobs behind it as well as the reservations of those ahead.
    std::unordered_map<const Job*, std::size_t> place_of;
    place_of.reserve(normal.size());
    for (std::size_t i = 0; i < normal.size(); ++i) place_of[normal[i]] = i;
    struct Promised {
        JobTime start, end;
        std::size_t position;
    };
    std::vector<std::vector<Promised>> promised_on(count);
    for (const auto& [id, promise] : promised_) {
        auto job = jobs_.find(id);
        if (job == jobs_.end() || !place_of.count(&job->second)) continue;
        const JobTime end = promise.start + reserved_span(job->second.spec.directives);
        for (int cpu : promise.cpus.cpus)
            if (cpu >= 1 && cpu <= static_cast<int>(count))
                promised_on[static_cast<std::size_t>(cpu - 1)].push_back(
                    Promised{promise.start, end, place_of[&job->second]});
    }
    // No job behind `position` was promised `cpus` for a moment in [from, to).
    auto clear_of_promises = [&](const std::vector<int>& cpus, std::size_t position, JobTime from,
                                 JobTime to) {
        for (int cpu : cpus)
            for (const Promised& p : promised_on[static_cast<std::size_t>(cpu - 1)])
                if (p.position > position && p.start < to && p.end > from) return false;
        return true;
    };

    bool held_back = false;      // first-come-first-served: a job ahead could not start
    JobTime not_before = now;    // and none starts before the one ahead of it
    const Job* ahead = nullptr;  // the first job with a reservation later than now
    JobTime ahead_start{};
    for (const Job* job : normal) {
        const JobDirectives& d = job->spec.directives;
        const PlacementRequest request = placement_request(d);
        const auto span = reserved_span(d);
        WaitingEstimate e{job->spec.id, ++rank, std::nullopt, std::nullopt, {}};
        const bool later = d.rtime && *d.rtime > now;
        JobTime earliest = later ? *d.rtime : now;
        if (!rules_.backfill) earliest = std::max(earliest, not_before);
        const bool capped = rules_.user_job_cap > 0 && running_jobs[job->spec.uid] >= rules_.user_job_cap;
        const std::set<std::string>& own_nodes = user_nodes[job->spec.uid];

        // Free now, and free of every earlier job's reservation until this one would end.
        const std::size_t position = place_of.at(job);
        auto clear_until_end = [&](int cpu) {
            return profile.first_reserved(cpu) >= now + span &&
                   clear_of_promises({cpu}, position, now, now + span);
        };
        auto allowed_now = [&](int cpu) {
            return clear_until_end(cpu) &&
                   (!capped || own_nodes.count(cpus_[static_cast<std::size_t>(cpu - 1)].node) > 0);
        };
        auto promise = promised_.find(job->spec.id);
        if (earliest == now && !held_back && free_now.may_fit(request, allowed_now)) {
            // Promised CPUs that are free and clear are taken as promised.
            if (promise != promised_.end() && promise->second.start <= now &&
                std::all_of(promise->second.cpus.cpus.begin(), promise->second.cpus.cpus.end(), [&](int cpu) {
                    return cpu >= 1 && cpu <= static_cast<int>(count) && free_now[cpu] && allowed_now(cpu);
                })) {
                start_now(*job, e, promise->second.cpus);
                pass.waiting.push_back(std::move(e));
                continue;
            }
            CpuAvailability available{&cpus_, free_now.mask(), view.up_nodes};
            for (std::size_t i = 0; i < count; ++i)
                if (available.free[i]) available.free[i] = allowed_now(static_cast<int>(i) + 1);
            if (auto placement = place(request, available)) {
                start_now(*job, e, std::move(*placement));
                pass.waiting.push_back(std::move(e));
                continue;
            }
        }

        // A reservation: the earliest moment its CPUs are free of everything
        // planned before it (the promised CPUs, when they are free then too).
        // An earlier moment than promised is taken only if it breaks no
        // promise made to a job behind; else the promise stands while it can.
        std::optional<ReservationProfile::Slot> slot = profile.earliest_slot(request, earliest);
        if (slot && promise != promised_.end() && promise->second.start >= slot->start &&
            promise->second.start >= earliest &&
            std::all_of(promise->second.cpus.cpus.begin(), promise->second.cpus.cpus.end(),
                        [&](int cpu) {
                            return cpu >= 1 && cpu <= static_cast<int>(count) && profile.usable(cpu) &&
                                   profile.free_at(cpu) <= promise->second.start;
                        }) &&
            (promise->second.start == slot->start ||
             !clear_of_promises(slot->cpus.cpus, position, slot->start, slot->start + span)))
            *slot = ReservationProfile::Slot{promise->second.start, promise->second.cpus};
        if (slot) {
            profile.reserve(slot->cpus.cpus, slot->start, slot->start + span);
            e.start = slot->start;
            e.cpus = std::move(slot->cpus);
            if (!later) {
                // Only a job that could start once others end holds the
                // queue back; one that needs nodes that are down does not.
                held_back = !rules_.backfill;
                not_before = std::max(not_before, *e.start);
            }
        }

        if (later) {
            e.why = held_until(*d.rtime);
        } else if (capped && free_now.may_fit(request, clear_until_end)) {
            e.why.code = WaitCode::user_cap;
            e.why.cap = rules_.user_job_cap;
        } else if (!e.start) {
            e.why = wanting(WaitCode::cannot_place, request, 0, view.faults);
        } else if (ahead && free_now.may_fit(request, [](int) { return true; })) {
            e.why = behind(ahead->spec.id, ahead_start);
        } else if (d.nproc0 && *d.nproc0 >= 1 && *d.nproc0 <= static_cast<int>(count) &&
                   !free_now[*d.nproc0]) {
            e.why.code = WaitCode::nproc0_busy;
            e.why.cpu = *d.nproc0;
        } else {
            e.why = wanting(WaitCode::needs_cpus, request, free_now.count(), view.faults);
        }
        if (e.start && !ahead && !later) {
            ahead = job;
            ahead_start = *e.start;
        }
        pass.waiting.push_back(std::move(e));
    }
    return pass;
}

SchedulePass JobQueue::schedule(JobTime now, const ClusterView& view, const PlacementPolicy& place,
                                const WaitingOrder& order) {
    SchedulePass pass = plan(now, view, place, order);
    promised_.clear();
    for (const WaitingEstimate& e : pass.waiting)
        if (e.start && e.cpus && *e.start > now) promised_.emplace(e.id, Promise{*e.start, *e.cpus});
    for (const WaitingEstimate& e : pass.waiting) {
        if (!e.start || *e.start != now || !e.cpus || e.why.waits()) continue;
        Job& job = jobs_.find(e.id)->second;
        job.state = JobState::running;
        job.started = now;
        job.placement = *e.cpus;
        hold(*job.placement, +1);
    }
    return pass;
}

std::vector<std::string> JobQueue::dispatch(JobTime now, const std::set<std::string>& up_nodes,
                                            const PlacementPolicy& place) {
    return schedule(now, ClusterView{up_nodes, {}, {}}, place).started;
}

std::vector<WaitingEstimate> JobQueue::plan(JobTime now, const std::set<std::string>& up_nodes,
                                            const PlacementPolicy& place) const {
    return plan(now, ClusterView{up_nodes, {}, {}}, place).waiting;
}

}  // namespace lobos
