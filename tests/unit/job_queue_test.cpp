#include "lobosq/job_queue.hpp"

#include <filesystem>

#include <doctest/doctest.h>

#include "config/config_loader.hpp"
#include "job_test_values.hpp"

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
};

// A waiting job submitted at `submitted` seconds.
Job waiting_job(const std::string& id, long long submitted, Want want = {}) {
    Job job;
    job.spec.id = id;
    job.spec.user = id.substr(0, id.find('.'));
    job.spec.uid = 1000;
    job.spec.gid = 100;
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

    TEST_CASE("a job that does not fit holds back the normal jobs behind it: no backfill") {
        JobQueue q(cluster(4, 2));
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
        REQUIRE(plan[0].start);
        CHECK(*plan[0].start == t0 + minutes(50));
        CHECK(plan[0].why == "needs 4 CPUs (2 a node), 2 free");
    }

    TEST_CASE("a running job past its ETIME is expected to end now") {
        JobQueue q(cluster(2, 2));
        q.add(running_job("alice.1", 1'800'000'000 - 7200, Placement{{1, 2, 3}, {"n1", "n1", "n2"}},
                          {.nprocs = 3, .tpip = 2, .etime = 60}));
        q.add(waiting_job("bob.1", 10, {.nprocs = 2}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
        REQUIRE(plan.size() == 1);
        CHECK(plan[0].start == t0);
        CHECK(plan[0].why == "needs 2 CPUs, 1 free");
    }

    TEST_CASE("jobs behind the head of the queue are not expected to start before it") {
        JobQueue q(cluster(4, 2));
        q.add(running_job("alice.1", 1'800'000'000 - 600,
                          Placement{{1, 2, 3, 4, 5, 6}, {"n1", "n1", "n2", "n2", "n3", "n3"}},
                          {.nprocs = 6, .tpip = 2, .etime = 60}));
        q.add(waiting_job("bob.1", 10, {.nprocs = 4, .tpip = 2, .etime = 60}));
        q.add(waiting_job("carol.1", 20, {.nprocs = 2, .tpip = 2, .etime = 30}));  // fits on n4 now
        q.add(waiting_job("dave.1", 30, {.nprocs = 8, .tpip = 2, .etime = 10}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(4), first_fit);
        REQUIRE(plan.size() == 3);
        CHECK(plan[0].id == "bob.1");
        CHECK(plan[1].id == "carol.1");
        CHECK(plan[2].id == "dave.1");

        CHECK(plan[0].start == t0 + minutes(50));
        // carol fits now, but FIFO: she starts with bob, on the CPUs he leaves.
        CHECK(plan[1].start == t0 + minutes(50));
        CHECK(plan[1].why == "waits behind bob.1");
        // dave needs the whole cluster: after bob's 60 minutes.
        CHECK(plan[2].start == t0 + minutes(110));
        CHECK(plan[2].why.find("needs 8 CPUs (2 a node)") == 0);
    }

    TEST_CASE("a job that cannot start with the nodes up now has no expected start, and holds nothing back") {
        JobQueue q(cluster(4, 2));
        const std::set<std::string> up{"n1", "n2", "n3"};
        q.add(waiting_job("alice.1", 10, {.nprocs = 8, .tpip = 2}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 2}));
        std::vector<WaitingEstimate> plan = q.plan(t0, up, first_fit);
        REQUIRE(plan.size() == 2);
        const WaitingEstimate& alice = estimate_of(plan, "alice.1");
        CHECK_FALSE(alice.start.has_value());
        CHECK(alice.why == "needs 8 CPUs (2 a node); the nodes up now cannot give them");
        const WaitingEstimate& bob = estimate_of(plan, "bob.1");
        CHECK(bob.start == t0);
        CHECK(bob.why.find("waits behind") == std::string::npos);
    }

    TEST_CASE("a job whose #RTIME has not come waits for its RTIME") {
        JobQueue q(cluster(4, 2));
        q.add(waiting_job("root.1", 10, {.nprocs = 2, .rtime = t0 + minutes(90)}));
        q.add(waiting_job("alice.1", 20, {.nprocs = 2}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(4), first_fit);
        REQUIRE(plan.size() == 2);
        const WaitingEstimate& root = estimate_of(plan, "root.1");
        CHECK(root.start == t0 + minutes(90));
        CHECK(root.why == "waits for its RTIME");
        // It does not hold back the job behind it.
        const WaitingEstimate& alice = estimate_of(plan, "alice.1");
        CHECK(alice.start == t0);
        CHECK(alice.why.find("waits behind") == std::string::npos);
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

    TEST_CASE("a waiting #ADMIN job is expected to start at once") {
        JobQueue q(cluster(2, 2));
        q.add(running_job("alice.1", 1'800'000'000 - 60, Placement{{1, 2, 3, 4}, {"n1", "n1", "n2", "n2"}},
                          {.nprocs = 4, .tpip = 2}));
        q.add(waiting_job("root.1", 20, {.nprocs = 2, .admin = true}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
        REQUIRE(plan.size() == 1);
        CHECK(plan[0].start == t0);
        CHECK(plan[0].why == "starts at once (ADMIN)");
    }

    TEST_CASE("a job whose NPROC0 CPU is held says so") {
        JobQueue q(cluster(2, 2));
        q.add(
            running_job("alice.1", 1'800'000'000 - 600, Placement{{1}, {"n1"}}, {.nprocs = 1, .etime = 30}));
        q.add(waiting_job("bob.1", 20, {.nprocs = 2, .nproc0 = 1}));
        std::vector<WaitingEstimate> plan = q.plan(t0, nodes_up(2), first_fit);
        REQUIRE(plan.size() == 1);
        CHECK(plan[0].start == t0 + minutes(20));
        CHECK(plan[0].why == "NPROC0 CPU 1 is not free");
    }

    TEST_CASE("an empty queue has an empty plan") {
        JobQueue q(cluster(2, 2));
        CHECK(q.plan(t0, nodes_up(2), first_fit).empty());
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
