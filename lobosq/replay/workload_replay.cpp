#include "lobosq/replay/workload_replay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "lobosq/scheduler/fair_share.hpp"

namespace lobos {

namespace {

using std::chrono::seconds;

// Ids sort as the queue orders jobs of one second: by place in the
// submission order, so ties keep the trace's order.
std::string replay_id(std::size_t index) {
    char id[32];
    std::snprintf(id, sizeof id, "swf.%09zu", index);
    return id;
}

JobSpec spec_of(const WorkloadJob& w, std::size_t index, JobTime origin) {
    JobSpec spec;
    spec.id = replay_id(index);
    spec.user = "u" + std::to_string(w.user);
    spec.uid = w.user;
    spec.gid = w.group;
    spec.directives.etime_minutes = w.etime_minutes;
    spec.directives.confidence = 100;
    spec.directives.nprocs_low = w.cpus;
    spec.directives.nprocs_high = w.cpus;
    spec.directives.tpip = 1;
    spec.submitted = origin + w.submit;
    return spec;
}

}  // namespace

int estimated_minutes(seconds run, double factor) {
    const long long minutes = std::max<long long>(1, (run.count() + 59) / 60);
    return static_cast<int>(std::max(1.0, std::ceil(static_cast<double>(minutes) * factor)));
}

WorkloadFromSwf workload_from_swf(const std::vector<SwfJob>& jobs, double estimate_factor) {
    WorkloadFromSwf out;
    for (const SwfJob& j : jobs) {
        const std::optional<int> cpus = j.processors();
        if (!j.run_time || !cpus || *cpus < 1) {
            ++out.unknown;
            continue;
        }
        WorkloadJob w;
        w.number = j.number;
        w.submit = seconds(j.submit);
        w.run = seconds(*j.run_time);
        w.cpus = *cpus;
        w.etime_minutes = estimated_minutes(w.run, estimate_factor);
        w.user = static_cast<uid_t>(j.user.value_or(0));
        w.group = static_cast<gid_t>(j.group.value_or(0));
        out.jobs.push_back(w);
    }
    return out;
}

std::vector<CpuSlot> single_cpu_nodes(int count) {
    std::vector<CpuSlot> cpus;
    for (int i = 0; i < count; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "n%03d", i + 1);
        cpus.push_back(CpuSlot{i + 1, name, 0});
    }
    return cpus;
}

double ReplayedJob::bounded_slowdown() const {
    const double run = static_cast<double>((end - start).count());
    const double wait_run = static_cast<double>((end - submit).count());
    return std::max(1.0, wait_run / std::max(run, 10.0));
}

ReplayResult replay_workload(const std::vector<WorkloadJob>& workload, const ReplaySettings& settings) {
    // The queue's clock: the trace's second 0 at the Unix epoch. Only
    // differences matter.
    const JobTime origin{};
    const PlacementPolicy place = settings.place ? settings.place : PlacementPolicy(place_first_fit);

    std::vector<WorkloadJob> jobs = workload;
    std::stable_sort(jobs.begin(), jobs.end(),
                     [](const WorkloadJob& a, const WorkloadJob& b) { return a.submit < b.submit; });

    ReplayResult result;
    ClusterView view;
    for (const CpuSlot& c : settings.cpus) view.up_nodes.insert(c.node);

    // Jobs the cluster could never run are left out before the replay, as
    // lobosq refuses them at submission.
    std::vector<std::size_t> runnable;
    {
        std::unordered_map<int, bool> fits;  // by CPU count: every job here has the same shape otherwise
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            auto known = fits.find(jobs[i].cpus);
            if (known == fits.end())
                known = fits.emplace(jobs[i].cpus, !never_placeable(spec_of(jobs[i], i, origin).directives,
                                                                    settings.cpus, place))
                            .first;
            if (known->second)
                runnable.push_back(i);
            else
                ++result.summary.too_big;
        }
    }

    JobQueue queue(settings.cpus, settings.rules);
    JobTime now{};
    std::optional<FairShare> fair_share;
    if (settings.fair_share_half_life) fair_share.emplace(*settings.fair_share_half_life);
    // Record r is runnable[r]; its id is replay_id(r), so ids sort by submission.
    const std::size_t count = runnable.size();
    result.jobs.resize(count);
    std::vector<bool> started(count, false);
    auto record_of = [](const std::string& id) {
        return static_cast<std::size_t>(std::stoull(id.substr(4)));
    };
    using End = std::pair<JobTime, std::size_t>;  // when, record
    std::priority_queue<End, std::vector<End>, std::greater<>> ends;

    std::size_t next = 0;           // the next record to submit
    std::size_t waiting = 0;        // submitted, not started
    JobTime wake = JobTime::max();  // the earliest estimated start after the last pass; max: none
    for (;;) {
        now = JobTime::max();
        if (next < count) now = std::min(now, origin + jobs[runnable[next]].submit);
        if (!ends.empty()) now = std::min(now, ends.top().first);
        if (waiting > 0) now = std::min(now, wake);
        if (now == JobTime::max()) break;

        // Every event of this moment, then one pass.
        while (!ends.empty() && ends.top().first == now) {
            const std::size_t r = ends.top().second;
            ends.pop();
            queue.finish(replay_id(r), JobEnd{JobOutcome::exited, 0, 0, {}, now});
            if (fair_share) {
                const WorkloadJob& w = jobs[runnable[r]];
                fair_share->charge(w.group, w.user,
                                   static_cast<double>(w.cpus) * static_cast<double>(w.run.count()), now);
            }
        }
        for (; next < count && origin + jobs[runnable[next]].submit == now; ++next) {
            const WorkloadJob& w = jobs[runnable[next]];
            queue.add(Job{spec_of(w, next, origin), JobState::waiting, {}, {}, {}});
            result.jobs[next] = ReplayedJob{w.number, w.cpus, w.submit, {}, {}};
            ++waiting;
        }

        const SchedulePass pass =
            queue.schedule(now, view, place, fair_share ? fair_share->order_for(queue, now) : WaitingOrder{});
        ++result.summary.passes;
        for (const std::string& id : pass.started) {
            const std::size_t r = record_of(id);
            const WorkloadJob& w = jobs[runnable[r]];
            result.jobs[r].start = std::chrono::duration_cast<seconds>(now - origin);
            result.jobs[r].end = result.jobs[r].start + w.run;
            started[r] = true;
            ends.emplace(now + w.run, r);
            --waiting;
        }
        wake = JobTime::max();
        for (const WaitingEstimate& e : pass.waiting)
            if (e.start && *e.start > now) wake = std::min(wake, *e.start);
    }

    // Jobs still waiting when nothing more can happen: reported, not measured.
    std::vector<ReplayedJob> ran;
    for (std::size_t r = 0; r < count; ++r)
        if (started[r]) ran.push_back(result.jobs[r]);
    result.summary.unstarted = static_cast<int>(count - ran.size());
    result.jobs = std::move(ran);

    ReplaySummary& s = result.summary;
    s.replayed = static_cast<int>(result.jobs.size());
    if (result.jobs.empty()) return result;
    double cpu_seconds = 0, wait = 0, slowdown = 0;
    seconds first = result.jobs.front().submit, last{};
    for (const ReplayedJob& j : result.jobs) {
        cpu_seconds += static_cast<double>(j.cpus) * static_cast<double>((j.end - j.start).count());
        wait += static_cast<double>(j.wait().count());
        slowdown += j.bounded_slowdown();
        first = std::min(first, j.submit);
        last = std::max(last, j.end);
    }
    s.makespan = last - first;
    const double capacity =
        static_cast<double>(settings.cpus.size()) * static_cast<double>(s.makespan.count());
    s.utilisation = capacity > 0 ? cpu_seconds / capacity : 0;
    s.mean_wait_seconds = wait / s.replayed;
    s.mean_bounded_slowdown = slowdown / s.replayed;
    return result;
}

}  // namespace lobos
