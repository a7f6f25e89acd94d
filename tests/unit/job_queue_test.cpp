#include "lobosq/scheduler/job_queue.hpp"

#include <filesystem>

#include <doctest/doctest.h>

#include "config/config_loader.hpp"
#include "job_test_values.hpp"
#include "share/formats/local_time.hpp"

using namespace lobos;
using lobos::test::job_time;
using std::chrono::minutes;

namespace {

// n1..nN with `per_node` CPUs each, numbered as number_cpus numbers them.
std::vector<CpuSlot> cluster(int nodes, int per_node) {
    std::vector<CpuSlot> slots;
    for (int n = 1; n <= nodes; ++n)
        for (int i = 0; i < per_node; ++i)
            slots.push_back({static_cast<int>(slots.size()) + 1, "n" + std::to_string(n), i});
    return slots;
}

std::set<std::string> nodes_up(int nodes) {
    std::set<std::string> up;
    for (int n = 1; n <= nodes; ++n) up.insert("n" + std::to_string(n));
    return up;
}

struct Want {
    int nprocs = 1;
    int tpip = 1;
    int etime = 60;
    bool admin = false;
    std::optional<JobTime> rtime{};
    std::optional<int> nproc0{};
    int conf = 100;  // reserved span = ETIME, so that the figures below are round
    unsigned uid = 1000;
    unsigned gid = 100;
};

// A waiting job submitted at `submitted` seconds.
Job waiting_job(const std::string& id, long long submitted, Want want = {}) {
    Job job;
    job.spec.id = id;
    job.spec.user = id.substr(0, id.find('.'));
    job.spec.uid = want.uid;
    job.spec.gid = want.gid;
    job.spec.dir = "/home/" + job.spec.user;
    job.spec.script = "#!/bin/sh\ntrue\n";
    job.spec.submitted = job_time(submitted);
    job.spec.directives.nprocs_low = want.nprocs;
    job.spec.directives.nprocs_high = want.nprocs;
    job.spec.directives.tpip = want.tpip;
    job.spec.directives.etime_minutes = want.etime;
    job.spec.directives.admin = want.admin;
    job.spec.directives.rtime = want.rtime;
    job.spec.directives.nproc0 = want.nproc0;
    job.spec.directives.confidence = want.conf;
    return job;
}

// A job that was running when the daemon restarted.
Job running_job(const std::string& id, long long started, Placement placement, Want want = {}) {
    Job job = waiting_job(id, started - 10, want);
    job.state = JobState::running;
    job.started = job_time(started);
    job.placement = std::move(placement);
    return job;
}

JobEnd exited_at(long long seconds) { return JobEnd{JobOutcome::exited, 0, 0, "", job_time(seconds)}; }

std::vector<std::string> ids(const std::vector<const Job*>& jobs) {
    std::vector<std::string> out;
    for (const Job* job : jobs) out.push_back(job->spec.id);
    return out;
}

const WaitingEstimate& estimate_of(const std::vector<WaitingEstimate>& plan, const std::string& id) {
    for (const WaitingEstimate& e : plan)
        if (e.id == id) return e;
    FAIL("no estimate for " << id);
    throw std::logic_error("unreachable");
}

const PlacementPolicy first_fit = place_first_fit;
const JobTime t0 = job_time(1'800'000'000);

// Why a job waits, as lobosq stat says it at t0.
std::string said(const WaitingEstimate& e) { return render_wait_reason(e.why, t0); }

}  // namespace

TEST_SUITE("job queue") {
    TEST_CASE("jobs are dispatched in queue order: submission time, then id") {
        JobQueue q(cluster(4, 2));
        REQUIRE(q.add(waiting_job("bob.1", 100, {.nprocs = 2})));
        REQUIRE(q.add(waiting_job("carol.1", 50, {.nprocs = 2})));
        REQUIRE(q.add(waiting_job("alice.1", 50, {.nprocs = 2})));
        CHECK(q.dispatch(t0, nodes_up(4), first_fit) ==
              std::vector<std::string>{"alice.1", "carol.1", "bob.1"});
        // Each placed on the CPUs left by the one before it.
        CHECK(q.find("alice.1")->placement->cpus == std::vector<int>{1, 3});
        CHECK(q.find("carol.1")->placement->cpus == std::vector<int>{2, 4});
        CHECK(q.find("bob.1")->placement->cpus == std::vector<int>{5, 7});
        for (const char* id : {"alice.1", "carol.1", "bob.1"}) {
            CHECK(q.find(id)->state == JobState::running);
            CHECK(q.find(id)->started == t0);
        }
        CHECK(q.free_cpus(nodes_up(4)) == 2);
    }

    TEST_CASE("an #ADMIN job goes ahead of jobs submitted before it") {
        JobQueue q(cluster(4, 2));
        q.add(waiting_job("alice.1", 10, {.nprocs = 2}));
        q.add(waiting_job("root.1", 20, {.nprocs = 2, .admin = true}));
        CHECK(q.dispatch(t0, nodes_up(4), first_fit) == std::vector<std::string>{"root.1", "alice.1"});
        CHECK(q.find("root.1")->placement->cpus == std::vector<int>{1, 3});
        CHECK(q.find("alice.1")->placement->cpus == std::vector<int>{2, 4});
    }

    TEST_CASE("an #ADMIN job starts at once even when every CPU is held, sharing the CPUs") {
        JobQueue q(cluster(4, 2));
        q.add(waiting_job("alice.1", 10, {.nprocs = 8, .tpip = 2}));
        REQUIRE(q.dispatch(t0, nodes_up(4), first_fit) == std::vector<std::string>{"alice.1"});
        CHECK(q.free_cpus(nodes_up(4)) == 0);

        q.add(waiting_job("root.1", 20, {.nprocs = 2, .admin = true}));
        CHECK(q.dispatch(t0 + minutes(1), nodes_up(4), first_fit) == std::vector<std::string>{"root.1"});
        CHECK(q.find("root.1")->placement->cpus == std::vector<int>{1, 3});
        CHECK(q.running_on("n1") == std::vector<std::string>{"alice.1", "root.1"});

        // The shared CPUs stay held until both holders have ended.
        REQUIRE(q.finish("root.1", exited_at(1'800'000'100)));
        CHECK(q.free_cpus(nodes_up(4)) == 0);
        REQUIRE(q.finish("alice.1", exited_at(1'800'000'200)));
        CHECK(q.free_cpus(nodes_up(4)) == 8);
    }

    TEST_CASE("a job whose #RTIME has not come is passed over, and starts once the time comes") {
        JobQueue q(cluster(4, 2));
        q.add(waiting_job("root.1", 10, {.nprocs = 2, .rtime = t0 + minutes(10)}));
        q.add(waiting_job("alice.1", 20, {.nprocs = 2}));
        // Passed over, and it does not hold back the job behind it.
        CHECK(q.dispatch(t0, nodes_up(4), first_fit) == std::vector<std::string>{"alice.1"});
        CHECK(q.find("root.1")->state == JobState::waiting);
        CHECK(q.dispatch(t0 + minutes(9), nodes_up(4), first_fit).empty());
        CHECK(q.dispatch(t0 + minutes(10), nodes_up(4), first_fit) == std::vector<std::string>{"root.1"});
        CHECK(q.find("root.1")->started == t0 + minutes(10));
    }

    TEST_CASE("without backfill a job that does not fit holds back the normal jobs behind it") {
        JobQueue q(cluster(4, 2), ScheduleRules{.backfill = false});
        q.add(waiting_job("alice.1", 10, {.nprocs = 6, .tpip = 2}));
        REQUIRE(q.dispatch(t0, nodes_up(4), first_fit) == std::vector<std::string>{"alice.1"});
        REQUIRE(q.free_cpus(nodes_up(4)) == 2);

        q.add(waiting_job("bob.1", 20, {.nprocs = 4, .tpip = 2}));
        q.add(waiting_job("carol.1", 30, {.nprocs = 1}));  // would fit on the 2 free CPUs
        CHECK(q.dispatch(t0 + minutes(1), nodes_up(4), first_fit).empty());
        CHECK(q.find("carol.1")->state == JobState::waiting);

        // An #ADMIN job is not held back.
        q.add(waiting_job("root.1", 40, {.nprocs = 1, .admin = true}));
        CHECK(q.dispatch(t0 + minutes(2), nodes_up(4), first_fit) == std::vector<std::string>{"root.1"});
        CHECK(q.find("carol.1")->state == JobState::waiting);
    }

    TEST_CASE("a job that needs nodes that are down does not hold back the jobs behind it") {
        JobQueue q(cluster(4, 2));
        const std::set<std::string> up{"n1", "n2", "n3"};
        q.add(waiting_job("alice.1", 10, {.nprocs = 8, .tpip = 2}));  // all four nodes
        q.add(waiting_job("bob.1", 20, {.nprocs = 2}));
        CHECK(q.dispatch(t0, up, first_fit) == std::vector<std::string>{"bob.1"});
        CHECK(q.find("alice.1")->state == JobState::waiting);
        CHECK(q.find("bob.1")->placement->nodes == std::vector<std::string>{"n1", "n2"});
    }

    TEST_CASE("a job's end frees its CPUs, so the next job starts") {
        JobQueue q(cluster(4, 2));
        q.add(waiting_job("alice.1", 10, {.nprocs = 8, .tpip = 2}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 4, .tpip = 2}));
        REQUIRE(q.dispatch(t0, nodes_up(4), first_fit) == std::vector<std::string>{"alice.1"});
        CHECK(q.dispatch(t0 + minutes(1), nodes_up(4), first_fit).empty());

        std::optional<Job> ended = q.finish("alice.1", exited_at(1'800'000'300));
        REQUIRE(ended);
        CHECK(ended->state == JobState::ended);
        CHECK(ended->end == exited_at(1'800'000'300));
        CHECK(ended->placement->cpus == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
        CHECK(q.find("alice.1") == nullptr);
        CHECK(q.size() == 1);
        CHECK(q.free_cpus(nodes_up(4)) == 8);

        CHECK(q.dispatch(t0 + minutes(5), nodes_up(4), first_fit) == std::vector<std::string>{"bob.1"});
        CHECK(q.find("bob.1")->placement->cpus == std::vector<int>{1, 2, 3, 4});
        CHECK_FALSE(q.finish("nobody.1", exited_at(1'800'000'400)).has_value());
    }

    TEST_CASE("a waiting job that is cancelled leaves the CPUs as they were") {
        JobQueue q(cluster(2, 2));
        q.add(waiting_job("alice.1", 10, {.nprocs = 2}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 8}));
        REQUIRE(q.dispatch(t0, nodes_up(2), first_fit) == std::vector<std::string>{"alice.1"});
        std::optional<Job> cancelled = q.finish("bob.1", JobEnd{JobOutcome::cancelled, 0, 0, "by bob", t0});
        REQUIRE(cancelled);
        CHECK_FALSE(cancelled->placement.has_value());
        CHECK(q.free_cpus(nodes_up(2)) == 2);
    }

    TEST_CASE("running_on names the running jobs that hold a CPU of the node") {
        JobQueue q(cluster(4, 2));
        q.add(waiting_job("alice.1", 10, {.nprocs = 2}));             // 1 and 3: n1, n2
        q.add(waiting_job("bob.1", 20, {.nprocs = 2, .tpip = 2}));    // 5 and 6: n3
        q.add(waiting_job("carol.1", 30, {.nprocs = 8, .tpip = 2}));  // waits
        REQUIRE(q.dispatch(t0, nodes_up(4), first_fit) == std::vector<std::string>{"alice.1", "bob.1"});
        CHECK(q.running_on("n1") == std::vector<std::string>{"alice.1"});
        CHECK(q.running_on("n2") == std::vector<std::string>{"alice.1"});
        CHECK(q.running_on("n3") == std::vector<std::string>{"bob.1"});
        CHECK(q.running_on("n4").empty());
        CHECK(q.running_on("n9").empty());
    }

    TEST_CASE("a running job added after a restart holds its CPUs") {
        JobQueue q(cluster(4, 2));
        Job restored =
            running_job("alice.1", 1'799'999'000, Placement{{1, 2, 3, 4}, {"n1", "n1", "n2", "n2"}});
        REQUIRE(q.add(restored));
        CHECK(*q.find("alice.1") == restored);
        CHECK(q.free_cpus(nodes_up(4)) == 4);
        CHECK(q.running_on("n2") == std::vector<std::string>{"alice.1"});

        q.add(waiting_job("bob.1", 10, {.nprocs = 6, .tpip = 2}));
        CHECK(q.dispatch(t0, nodes_up(4), first_fit).empty());
        q.finish("bob.1", exited_at(1'800'000'000));
        q.add(waiting_job("carol.1", 20, {.nprocs = 4, .tpip = 2}));
        CHECK(q.dispatch(t0, nodes_up(4), first_fit) == std::vector<std::string>{"carol.1"});
        CHECK(q.find("carol.1")->placement->cpus == std::vector<int>{5, 6, 7, 8});
    }

    TEST_CASE("adding a job whose id is already queued returns false and keeps the first") {
        JobQueue q(cluster(2, 2));
        REQUIRE(q.add(waiting_job("alice.1", 10, {.nprocs = 2})));
        CHECK_FALSE(q.add(waiting_job("alice.1", 20, {.nprocs = 4})));
        CHECK_FALSE(q.add(running_job("alice.1", 30, Placement{{1, 2}, {"n1", "n1"}})));
        CHECK(q.size() == 1);
        CHECK(q.find("alice.1")->spec.submitted == job_time(10));
        CHECK(q.find("alice.1")->state == JobState::waiting);
        // The refused running job holds nothing.
        CHECK(q.free_cpus(nodes_up(2)) == 4);
    }

    TEST_CASE("in_order lists running jobs first by start, then waiting ones in queue order") {
        JobQueue q(cluster(4, 2));
        CHECK(q.empty());
        q.add(running_job("amy.1", 200, Placement{{1}, {"n1"}}));
        q.add(running_job("zed.1", 100, Placement{{2}, {"n1"}}));
        q.add(waiting_job("carol.1", 50, {.nprocs = 8}));
        q.add(waiting_job("root.1", 60, {.nprocs = 1, .admin = true}));
        q.add(waiting_job("bob.1", 40, {.nprocs = 8}));
        q.add(waiting_job("al.1", 50, {.nprocs = 8}));
        CHECK(ids(q.in_order()) ==
              std::vector<std::string>{"zed.1", "amy.1", "root.1", "bob.1", "al.1", "carol.1"});
        CHECK(q.size() == 6);
        CHECK_FALSE(q.empty());
    }

    TEST_CASE("free CPUs are the unheld CPUs of up nodes only") {
        JobQueue q(cluster(4, 2));
        CHECK(q.cluster_cpus() == 8);
        CHECK(q.free_cpus(nodes_up(4)) == 8);
        CHECK(q.free_cpus({"n1", "n3"}) == 4);
        CHECK(q.free_cpus({}) == 0);
        CHECK(q.free_cpus({"n9"}) == 0);
        q.add(running_job("alice.1", 100, Placement{{1, 2, 3}, {"n1", "n1", "n2"}}));
        CHECK(q.free_cpus(nodes_up(4)) == 5);
        CHECK(q.free_cpus({"n1", "n3"}) == 2);
        CHECK(q.cluster_cpus() == 8);
    }

    TEST_CASE("the demo cluster's CPUs from config/examples/demo make a queue of 16 CPUs") {
        ConfigLoad load =
            read_cluster_config(std::filesystem::path(LOBOS_SOURCE_DIR) / "config/examples/demo");
        REQUIRE(load.ok());
        JobQueue q(number_cpus(load.config));
        CHECK(q.cluster_cpus() == 16);
        std::set<std::string> up;
        for (const CpuSlot& slot : q.cpus()) up.insert(slot.node);
        CHECK(up.size() == 8);
        CHECK(q.free_cpus(up) == 16);
        q.add(waiting_job("alice.1", 10, {.nprocs = 8}));
        REQUIRE(q.dispatch(t0, up, first_fit) == std::vector<std::string>{"alice.1"});
        CHECK(q.find("alice.1")->placement->distinct_nodes() ==
              std::vector<std::string>{"n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08"});
        CHECK(q.free_cpus(up) == 8);
    }
}

TEST_SUITE("job queue plan") {
    TEST_CASE(
        "a waiting job is expected to start when enough CPUs free, as running jobs end at start + ETIME") {
        JobQueue q(cluster(4, 2));
        // 1..6 held until t0 + 50 minutes; 7 and 8 free.
        q.add(running_job("alice.1", 1'800'000'000 - 600,
                          Placement{{1, 2, 3, 4, 5, 6}, {"n1", "n1", "n2", "n2", "n3", "n3"}},
                          {.nprocs = 6, .tpip = 2, .etime = 60}));
        q.add(waiting_job("bob.1", 10, {.nprocs = 4, .tpip = 2}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(4), first_fit);
        REQUIRE(plan.size() == 1);
        CHECK(plan[0].id == "bob.1");
        CHECK(plan[0].rank == 1);
        REQUIRE(plan[0].start);
        CHECK(*plan[0].start == t0 + minutes(50));
        CHECK(said(plan[0]) == "needs 4 CPUs (2 a node), 2 free");
        // The plan reserves n4, free now, and one node that frees at 50 minutes.
        REQUIRE(plan[0].cpus);
        CHECK(plan[0].cpus->cpus == std::vector<int>{1, 2, 7, 8});
    }

    TEST_CASE("lack of CONFidence widens the span a running job is expected to hold its CPUs") {
        for (auto [conf, end_minutes] : {std::pair{100, 50}, {90, 56}, {50, 80}, {0, 110}}) {
            JobQueue q(cluster(2, 2));
            q.add(running_job("alice.1", 1'800'000'000 - 600,
                              Placement{{1, 2, 3, 4}, {"n1", "n1", "n2", "n2"}},
                              {.nprocs = 4, .tpip = 2, .etime = 60, .conf = conf}));
            q.add(waiting_job("bob.1", 10, {.nprocs = 2}));
            std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
            INFO("CONF " << conf);
            CHECK(plan[0].start == t0 + minutes(end_minutes));
        }
        JobDirectives d;
        d.etime_minutes = 60;
        d.confidence = 90;
        CHECK(reserved_span(d) == std::chrono::seconds(3960));
        d.confidence = 0;
        CHECK(reserved_span(d) == std::chrono::seconds(7200));
    }

    TEST_CASE("a running job past its ETIME is expected to end a minute from now, or at its EtimeLimit") {
        JobQueue q(cluster(2, 2));
        q.add(running_job("alice.1", 1'800'000'000 - 7200, Placement{{1, 2, 3}, {"n1", "n1", "n2"}},
                          {.nprocs = 3, .tpip = 2, .etime = 60}));
        q.add(waiting_job("bob.1", 10, {.nprocs = 2}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
        REQUIRE(plan.size() == 1);
        CHECK(plan[0].start == t0 + minutes(1));
        CHECK(said(plan[0]) == "needs 2 CPUs, 1 free");
        CHECK(q.over_limit(t0).empty());

        // With EtimeLimit 3 it is ended at 3 hours: expected then.
        JobQueue limited(cluster(2, 2), ScheduleRules{.etime_limit = 3});
        limited.add(*q.find("alice.1"));
        limited.add(waiting_job("bob.1", 10, {.nprocs = 2}));
        CHECK(limited.plan(t0, nodes_up(2), first_fit)[0].start == t0 + minutes(60));
        CHECK(limited.over_limit(t0 + minutes(59)).empty());
        CHECK(limited.over_limit(t0 + minutes(60)) == std::vector<std::string>{"alice.1"});
        CHECK(limit_time(*limited.find("alice.1"), limited.rules()) == t0 + minutes(60));
    }

    TEST_CASE("a job behind the head of the queue starts now only if it ends before the head's reservation") {
        JobQueue q(cluster(4, 2));
        q.add(running_job("alice.1", 1'800'000'000 - 600,
                          Placement{{1, 2, 3, 4, 5, 6}, {"n1", "n1", "n2", "n2", "n3", "n3"}},
                          {.nprocs = 6, .tpip = 2, .etime = 60}));
        q.add(waiting_job("bob.1", 10, {.nprocs = 4, .tpip = 2, .etime = 60}));    // reserved 50 min on
        q.add(waiting_job("carol.1", 20, {.nprocs = 2, .tpip = 2, .etime = 60}));  // would overrun it
        q.add(waiting_job("dave.1", 30, {.nprocs = 2, .tpip = 2, .etime = 45}));   // ends before it
        q.add(waiting_job("erin.1", 40, {.nprocs = 8, .tpip = 2, .etime = 10}));
        SchedulePass pass = q.plan(t0, ClusterView{nodes_up(4), {}, {}}, first_fit);
        CHECK(pass.started == std::vector<std::string>{"dave.1"});
        REQUIRE(pass.waiting.size() == 4);
        const WaitingEstimate& bob = estimate_of(pass.waiting, "bob.1");
        const WaitingEstimate& carol = estimate_of(pass.waiting, "carol.1");
        const WaitingEstimate& dave = estimate_of(pass.waiting, "dave.1");
        const WaitingEstimate& erin = estimate_of(pass.waiting, "erin.1");
        CHECK(bob.start == t0 + minutes(50));
        CHECK(dave.start == t0);
        CHECK_FALSE(dave.why.waits());
        REQUIRE(dave.cpus);
        CHECK(dave.cpus->cpus == std::vector<int>{7, 8});
        // carol fits on n4 now, but would still hold it when bob starts.
        CHECK(carol.why == behind("bob.1", t0 + minutes(50)));
        CHECK(said(carol) == "behind bob.1 (starts " + [] {
            std::string hhmm;
            append_time_of_day(hhmm, t0 + minutes(50));
            return hhmm.substr(0, 5);
        }() + ")");
        // After bob's hour, on the nodes bob leaves free; erin after both.
        CHECK(carol.start == t0 + minutes(50));
        CHECK(erin.start == t0 + minutes(110));
        CHECK(said(erin).find("needs 8 CPUs (2 a node)") == 0);
    }

    TEST_CASE("without backfill no job is expected to start before the one ahead of it") {
        JobQueue q(cluster(4, 2), ScheduleRules{.backfill = false});
        q.add(running_job("alice.1", 1'800'000'000 - 600,
                          Placement{{1, 2, 3, 4, 5, 6}, {"n1", "n1", "n2", "n2", "n3", "n3"}},
                          {.nprocs = 6, .tpip = 2, .etime = 60}));
        q.add(waiting_job("bob.1", 10, {.nprocs = 4, .tpip = 2, .etime = 60}));
        q.add(waiting_job("dave.1", 30, {.nprocs = 2, .tpip = 2, .etime = 45}));
        SchedulePass pass = q.plan(t0, ClusterView{nodes_up(4), {}, {}}, first_fit);
        CHECK(pass.started.empty());
        CHECK(estimate_of(pass.waiting, "dave.1").start == t0 + minutes(50));
        CHECK(said(estimate_of(pass.waiting, "dave.1")).find("behind bob.1") == 0);
    }

    TEST_CASE("a job that cannot start with the nodes up now has no expected start, and holds nothing back") {
        JobQueue q(cluster(4, 2));
        const std::set<std::string> up{"n1", "n2", "n3"};
        q.add(waiting_job("alice.1", 10, {.nprocs = 8, .tpip = 2}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 2}));
        SchedulePass pass = q.plan(t0, ClusterView{up, {}, {{"down", {"n4"}, 0}}}, first_fit);
        REQUIRE(pass.waiting.size() == 2);
        const WaitingEstimate& alice = estimate_of(pass.waiting, "alice.1");
        CHECK_FALSE(alice.start.has_value());
        CHECK(said(alice) == "needs 8 CPUs (2 a node); the nodes up now cannot give them; n4 down");
        CHECK(pass.started == std::vector<std::string>{"bob.1"});
    }

    TEST_CASE("CPUs the view marks unhealthy are neither given nor planned") {
        JobQueue q(cluster(4, 2));
        std::vector<bool> healthy(8, true);
        healthy[0] = healthy[1] = false;  // n1: disk full
        q.add(waiting_job("alice.1", 10, {.nprocs = 8, .tpip = 2}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 6, .tpip = 2}));
        SchedulePass pass =
            q.plan(t0, ClusterView{nodes_up(4), healthy, {{"disk full", {"n1"}, 0}}}, first_fit);
        CHECK(pass.started == std::vector<std::string>{"bob.1"});
        CHECK(estimate_of(pass.waiting, "bob.1").cpus->cpus == std::vector<int>{3, 4, 5, 6, 7, 8});
        CHECK(said(estimate_of(pass.waiting, "alice.1")) ==
              "needs 8 CPUs (2 a node); the nodes up now cannot give them; n1 disk full");
    }

    TEST_CASE("a job whose #RTIME has not come is held until then, and holds nothing back") {
        JobQueue q(cluster(4, 2));
        q.add(waiting_job("root.1", 10, {.nprocs = 2, .rtime = t0 + minutes(90)}));
        q.add(waiting_job("alice.1", 20, {.nprocs = 2}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(4), first_fit);
        REQUIRE(plan.size() == 2);
        const WaitingEstimate& root = estimate_of(plan, "root.1");
        CHECK(root.start == t0 + minutes(90));
        std::string hhmm;
        append_time_of_day(hhmm, t0 + minutes(90));
        CHECK(root.why == held_until(t0 + minutes(90)));
        CHECK(said(root) == "held until " + hhmm.substr(0, 5) + " (#RTIME)");
        const WaitingEstimate& alice = estimate_of(plan, "alice.1");
        CHECK(alice.start == t0);
        CHECK_FALSE(alice.why.waits());
    }

    TEST_CASE("the plan counts the CPUs of a running #ADMIN job as held until its ETIME, as dispatch does") {
        JobQueue q(cluster(2, 2));
        q.add(running_job("root.1", 1'800'000'000 - 60, Placement{{1, 3}, {"n1", "n2"}},
                          {.nprocs = 2, .etime = 600, .admin = true}));
        q.add(waiting_job("alice.1", 20, {.nprocs = 4, .tpip = 2}));
        CHECK(q.dispatch(t0, nodes_up(2), first_fit).empty());
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
        REQUIRE(plan.size() == 1);
        CHECK(plan[0].start == job_time(1'800'000'000 - 60) + minutes(600));
    }

    TEST_CASE("a waiting #ADMIN job starts at once, first in the plan") {
        JobQueue q(cluster(2, 2));
        q.add(running_job("alice.1", 1'800'000'000 - 60, Placement{{1, 2, 3, 4}, {"n1", "n1", "n2", "n2"}},
                          {.nprocs = 4, .tpip = 2}));
        q.add(waiting_job("bob.1", 10, {.nprocs = 1}));
        q.add(waiting_job("root.1", 20, {.nprocs = 2, .admin = true}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
        REQUIRE(plan.size() == 2);
        CHECK(plan[0].id == "root.1");
        CHECK(plan[0].rank == 1);
        CHECK(plan[0].start == t0);
        CHECK_FALSE(plan[0].why.waits());
        CHECK(plan[1].rank == 2);
    }

    TEST_CASE("a job whose NPROC0 CPU is held says so, and is planned on that CPU") {
        JobQueue q(cluster(2, 2));
        q.add(
            running_job("alice.1", 1'800'000'000 - 600, Placement{{1}, {"n1"}}, {.nprocs = 1, .etime = 30}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 2, .nproc0 = 1}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
        REQUIRE(plan.size() == 1);
        CHECK(plan[0].start == t0 + minutes(20));
        CHECK(said(plan[0]) == "NPROC0 CPU 1 is busy");
        REQUIRE(plan[0].cpus);
        CHECK(plan[0].cpus->cpus.front() == 1);
        CHECK(plan[0].cpus->nodes.front() == "n1");
    }

    TEST_CASE("past the user cap a user's new jobs go only to nodes where the user already runs") {
        JobQueue q(cluster(4, 2), ScheduleRules{.user_job_cap = 2});
        q.add(running_job("alice.1", 1'800'000'000 - 60, Placement{{1}, {"n1"}}, {.nprocs = 1}));
        q.add(running_job("alice.2", 1'800'000'000 - 60, Placement{{3}, {"n2"}}, {.nprocs = 1}));
        q.add(waiting_job("alice.3", 10, {.nprocs = 1}));
        q.add(waiting_job("alice.4", 11, {.nprocs = 1}));
        q.add(waiting_job("alice.5", 12, {.nprocs = 1}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 1, .uid = 1001}));
        SchedulePass pass = q.schedule(t0, ClusterView{nodes_up(4), {}, {}}, first_fit);
        // alice's third and fourth go beside her first two, on n1 and n2; the fifth finds no room there.
        CHECK(pass.started == std::vector<std::string>{"alice.3", "alice.4", "bob.1"});
        CHECK(q.find("alice.3")->placement->nodes == std::vector<std::string>{"n1"});
        CHECK(q.find("alice.4")->placement->nodes == std::vector<std::string>{"n2"});
        CHECK(q.find("bob.1")->placement->nodes == std::vector<std::string>{"n3"});
        CHECK(said(estimate_of(pass.waiting, "alice.5")) == "user cap 2 reached");
    }

    TEST_CASE("the order the caller gives decides who goes first among normal jobs, #ADMIN still first") {
        JobQueue q(cluster(2, 2));
        q.add(waiting_job("alice.1", 10, {.nprocs = 2}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 2, .uid = 1001}));
        q.add(waiting_job("root.1", 30, {.nprocs = 1, .admin = true, .uid = 0}));
        SchedulePass pass = q.schedule(
            t0, ClusterView{nodes_up(2), {}, {}}, first_fit,
            [](std::vector<const Job*>& waiting) { std::reverse(waiting.begin(), waiting.end()); });
        CHECK(pass.started == std::vector<std::string>{"root.1", "bob.1"});
        REQUIRE(pass.waiting.size() == 3);
        CHECK(pass.waiting[0].id == "root.1");
        CHECK(pass.waiting[1].id == "bob.1");
        CHECK(pass.waiting[2].id == "alice.1");
        // root shares nothing out: CPU 1 is held, so alice waits for an hour.
        CHECK(q.find("bob.1")->placement->cpus == std::vector<int>{2, 3});
        CHECK(pass.waiting[2].start == t0 + minutes(60));
    }

    TEST_CASE("an empty queue has an empty plan") {
        JobQueue q(cluster(2, 2));
        CHECK(q.plan(t0, nodes_up(2), first_fit).empty());
    }
}

TEST_SUITE("estimates hold") {
    // Random workloads all submitted at t0, every job running exactly its
    // reserved span: a job must never start later than the first plan said.
    TEST_CASE(
        "on 2,000 random workloads every job starts no later than its first estimate, with backfill and "
        "without") {
        std::uint32_t seed = 12345;
        auto next = [&seed](int n) {
            seed = seed * 1664525u + 1013904223u;
            return static_cast<int>((seed >> 8) % static_cast<std::uint32_t>(n));
        };
        for (bool backfill : {true, false}) {
            for (int round = 0; round < 1000; ++round) {
                JobQueue q(cluster(4, 2), ScheduleRules{.backfill = backfill});
                const int jobs = 3 + next(10);
                for (int j = 0; j < jobs; ++j) {
                    Want want{.nprocs = 1 + next(6), .tpip = 1 + next(2), .etime = 1 + next(30)};
                    if (want.tpip == 1) want.nprocs = std::min(want.nprocs, 4);  // 4 nodes
                    if (want.tpip == 2 && want.nprocs % 2)
                        ++want.nprocs;  // no odd counts at TPIP 2: exact estimates
                    q.add(waiting_job("u.j" + std::to_string(j), j, want));
                }
                std::map<std::string, JobTime> promised;
                for (const WaitingEstimate& e : q.plan(t0, nodes_up(4), first_fit))
                    if (e.start) promised[e.id] = *e.start;
                REQUIRE(promised.size() == static_cast<std::size_t>(jobs));

                std::map<std::string, JobTime> ends;  // running jobs
                JobTime now = t0;
                for (int step = 0; step < 100 && (!q.empty()); ++step) {
                    for (const std::string& id : q.dispatch(now, nodes_up(4), first_fit)) {
                        INFO("job " << id << " round " << round << " backfill " << backfill);
                        CHECK(now <= promised[id]);
                        ends[id] = now + minutes(q.find(id)->spec.directives.etime_minutes);
                    }
                    if (ends.empty()) break;
                    auto first = std::min_element(ends.begin(), ends.end(), [](const auto& a, const auto& b) {
                        return a.second < b.second;
                    });
                    // Every job that ends at this moment ends before the next pass.
                    now = first->second;
                    for (auto it = ends.begin(); it != ends.end();) {
                        if (it->second != now) {
                            ++it;
                            continue;
                        }
                        q.finish(it->first, exited_at(0));
                        it = ends.erase(it);
                    }
                }
                CHECK(q.empty());
            }
        }
    }
}

TEST_SUITE("never placeable") {
    std::vector<CpuSlot> demo_cpus() {
        ConfigLoad load =
            read_cluster_config(std::filesystem::path(LOBOS_SOURCE_DIR) / "config/examples/demo");
        REQUIRE(load.ok());
        return number_cpus(load.config);
    }

    JobDirectives wanting(int nprocs, int tpip, std::optional<int> nproc0 = {}) {
        JobDirectives d;
        d.nprocs_low = d.nprocs_high = nprocs;
        d.tpip = tpip;
        d.nproc0 = nproc0;
        return d;
    }

    TEST_CASE(
        "16 CPUs at TPIP 1 on the demo's 8 nodes of 2 CPUs are refused, naming the cluster's CPUs and "
        "nodes") {
        std::optional<std::string> why = never_placeable(wanting(16, 1), demo_cpus(), first_fit);
        REQUIRE(why);
        INFO(*why);
        CHECK(why->find("could never run it") != std::string::npos);
        CHECK(why->find("needs 16 CPUs on 16 nodes (TPIP 1)") != std::string::npos);
        CHECK(why->find("16 CPUs on 8 compute nodes") != std::string::npos);
    }

    TEST_CASE("16 CPUs at TPIP 2 fit the demo cluster, and so does a range reaching past it") {
        CHECK_FALSE(never_placeable(wanting(16, 2), demo_cpus(), first_fit).has_value());
        CHECK_FALSE(never_placeable(wanting(8, 1), demo_cpus(), first_fit).has_value());
        JobDirectives range = wanting(4, 1);
        range.nprocs_high = 128;
        CHECK_FALSE(never_placeable(range, demo_cpus(), first_fit).has_value());
    }

    TEST_CASE("more CPUs than the cluster has are refused at any TPIP") {
        std::optional<std::string> why = never_placeable(wanting(17, 2), demo_cpus(), first_fit);
        REQUIRE(why);
        CHECK(why->find("needs 17 CPUs on 9 nodes (TPIP 2)") != std::string::npos);
    }

    TEST_CASE("an NPROC0 outside the cluster's CPUs is refused, naming the CPU") {
        for (int nproc0 : {0, 17, -1}) {
            std::optional<std::string> why = never_placeable(wanting(2, 1, nproc0), demo_cpus(), first_fit);
            REQUIRE(why);
            CHECK(why->find("with CPU " + std::to_string(nproc0) + " first") != std::string::npos);
        }
        CHECK_FALSE(never_placeable(wanting(2, 1, 16), demo_cpus(), first_fit).has_value());
        CHECK_FALSE(never_placeable(wanting(2, 2, 1), demo_cpus(), first_fit).has_value());
    }
}
