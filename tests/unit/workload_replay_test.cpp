#include "lobosq/replay/workload_replay.hpp"

#include <doctest/doctest.h>

using namespace lobos;
using std::chrono::seconds;

namespace {

WorkloadJob job(long long number, long long submit, long long run, int cpus, uid_t user = 1) {
    return WorkloadJob{number, seconds(submit), seconds(run), cpus, estimated_minutes(seconds(run), 1), user,
                       1};
}

ReplayResult replay(const std::vector<WorkloadJob>& jobs, int cpus, bool backfill) {
    ReplaySettings settings;
    settings.cpus = single_cpu_nodes(cpus);
    settings.rules.backfill = backfill;
    return replay_workload(jobs, settings);
}

// On 4 CPUs: job 1 (2 CPUs, 10 min) starts at once; job 2 needs all 4 and
// waits for it; job 3 (2 CPUs, 5 min) comes a minute later. It fits beside
// job 1 and ends before job 2 could start, so backfill runs it at once;
// first-come-first-served keeps it behind job 2.
const std::vector<WorkloadJob> small_workload{job(1, 0, 600, 2), job(2, 0, 600, 4), job(3, 60, 300, 2)};

}  // namespace

TEST_CASE("ETIME is the run time rounded up to whole minutes, at least one, times the estimate factor") {
    CHECK(estimated_minutes(seconds(0), 1) == 1);
    CHECK(estimated_minutes(seconds(60), 1) == 1);
    CHECK(estimated_minutes(seconds(61), 1) == 2);
    CHECK(estimated_minutes(seconds(61), 2) == 4);
    CHECK(estimated_minutes(seconds(600), 1.5) == 15);
    CHECK(estimated_minutes(seconds(10), 0.5) == 1);
}

TEST_CASE(
    "jobs of an SWF trace take their allocated processors, else the requested, and unknown ones are left "
    "out") {
    const SwfRead read = parse_swf(
        "1 0 -1 61 8 -1 -1 -1 -1 -1 -1 3 2 -1 -1 -1 -1 -1\n"
        "2 5 -1 30 -1 -1 -1 4 -1 -1 -1 3 2 -1 -1 -1 -1 -1\n"
        "3 9 -1 -1 2 -1 -1 -1 -1 -1 -1 3 2 -1 -1 -1 -1 -1\n"
        "4 9 -1 10 -1 -1 -1 -1 -1 -1 -1 3 2 -1 -1 -1 -1 -1\n");
    REQUIRE(read.ok());
    const WorkloadFromSwf workload = workload_from_swf(read.jobs, 1);
    CHECK(workload.unknown == 2);
    REQUIRE(workload.jobs.size() == 2);
    CHECK(workload.jobs[0] == WorkloadJob{1, seconds(0), seconds(61), 8, 2, 3, 2});
    CHECK(workload.jobs[1] == WorkloadJob{2, seconds(5), seconds(30), 4, 1, 3, 2});
}

TEST_CASE("first-come-first-served keeps a small job behind a big one that waits") {
    const ReplayResult r = replay(small_workload, 4, false);
    REQUIRE(r.jobs.size() == 3);
    CHECK(r.jobs[0] == ReplayedJob{1, 2, seconds(0), seconds(0), seconds(600)});
    CHECK(r.jobs[1] == ReplayedJob{2, 4, seconds(0), seconds(600), seconds(1200)});
    CHECK(r.jobs[2] == ReplayedJob{3, 2, seconds(60), seconds(1200), seconds(1500)});
    CHECK(r.summary.replayed == 3);
    CHECK(r.summary.too_big == 0);
    CHECK(r.summary.unstarted == 0);
    // Waits 0, 600, 1140; slowdowns 1, 1200/600, 1440/300; 4,200 CPU-seconds over 4 x 1,500.
    CHECK(r.summary.mean_wait_seconds == doctest::Approx(580));
    CHECK(r.summary.mean_bounded_slowdown == doctest::Approx((1 + 2 + 4.8) / 3));
    CHECK(r.summary.utilisation == doctest::Approx(0.7));
    CHECK(r.summary.makespan == seconds(1500));
}

TEST_CASE("backfill starts the small job at once beside the first, and mean wait and utilisation improve") {
    const ReplayResult r = replay(small_workload, 4, true);
    REQUIRE(r.jobs.size() == 3);
    CHECK(r.jobs[0] == ReplayedJob{1, 2, seconds(0), seconds(0), seconds(600)});
    CHECK(r.jobs[1] == ReplayedJob{2, 4, seconds(0), seconds(600), seconds(1200)});
    CHECK(r.jobs[2] == ReplayedJob{3, 2, seconds(60), seconds(60), seconds(360)});
    // Waits 0, 600, 0; slowdowns 1, 2, 1; 4,200 CPU-seconds over 4 x 1,200.
    CHECK(r.summary.mean_wait_seconds == doctest::Approx(200));
    CHECK(r.summary.mean_bounded_slowdown == doctest::Approx(4.0 / 3));
    CHECK(r.summary.utilisation == doctest::Approx(0.875));
    CHECK(r.summary.makespan == seconds(1200));
}

TEST_CASE("a job asking more CPUs than the cluster has is skipped and counted, and the rest replay") {
    const ReplayResult r = replay({job(1, 0, 100, 5), job(2, 10, 100, 4)}, 4, true);
    CHECK(r.summary.too_big == 1);
    REQUIRE(r.jobs.size() == 1);
    CHECK(r.jobs[0].number == 2);
    CHECK(r.summary.makespan == seconds(100));
    CHECK(r.summary.utilisation == doctest::Approx(1.0));
}

TEST_CASE("bounded slowdown counts a run under ten seconds as ten, and is never below one") {
    CHECK(ReplayedJob{1, 1, seconds(0), seconds(18), seconds(20)}.bounded_slowdown() == doctest::Approx(2));
    CHECK(ReplayedJob{1, 1, seconds(0), seconds(0), seconds(2)}.bounded_slowdown() == doctest::Approx(1));
    CHECK(ReplayedJob{1, 1, seconds(0), seconds(100), seconds(300)}.bounded_slowdown() ==
          doctest::Approx(1.5));
}

TEST_CASE("jobs of zero run time and jobs submitted in the same second all run, in trace order") {
    const ReplayResult r = replay({job(7, 5, 0, 1), job(8, 5, 0, 1), job(9, 5, 30, 1)}, 1, false);
    REQUIRE(r.jobs.size() == 3);
    CHECK(r.jobs[0].number == 7);
    CHECK(r.jobs[1].number == 8);
    CHECK(r.jobs[2].number == 9);
    CHECK(r.jobs[2].start == seconds(5));
    CHECK(r.jobs[2].end == seconds(35));
    CHECK(r.summary.mean_wait_seconds == 0);
}

TEST_CASE("fair-share order lets a light user's job go before a heavy user's earlier one") {
    // User 1 has run a long job on the only CPU; when it ends, user 1's next
    // job and user 2's first wait. Fair share picks user 2's, submitted later.
    ReplaySettings settings;
    settings.cpus = single_cpu_nodes(1);
    settings.fair_share_half_life = seconds(86400);
    std::vector<WorkloadJob> jobs{job(1, 0, 600, 1, 1), job(2, 10, 60, 1, 1), job(3, 20, 60, 1, 2)};
    jobs[2].group = 2;
    const ReplayResult fair = replay_workload(jobs, settings);
    REQUIRE(fair.jobs.size() == 3);
    CHECK(fair.jobs[2].start == seconds(600));
    CHECK(fair.jobs[1].start == seconds(660));

    settings.fair_share_half_life.reset();
    const ReplayResult in_order = replay_workload(jobs, settings);
    CHECK(in_order.jobs[1].start == seconds(600));
    CHECK(in_order.jobs[2].start == seconds(660));
}
