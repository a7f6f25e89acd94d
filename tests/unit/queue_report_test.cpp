#include "lobosq/scheduler/queue_report.hpp"

#include <doctest/doctest.h>

#include "job_test_values.hpp"

using namespace lobos;
using lobos::test::job_time;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// n1..n4 with 2 CPUs each.
std::vector<CpuSlot> four_nodes() {
    std::vector<CpuSlot> slots;
    for (int n = 1; n <= 4; ++n)
        for (int i = 0; i < 2; ++i)
            slots.push_back({static_cast<int>(slots.size()) + 1, "n" + std::to_string(n), i});
    return slots;
}

const std::set<std::string> all_up{"n1", "n2", "n3", "n4"};
const JobTime now = job_time(1'800'000'000);

Job job(const std::string& id, const std::string& user, unsigned uid, long long submitted, int nprocs,
        int tpip, int etime) {
    Job j;
    j.spec.id = id;
    j.spec.user = user;
    j.spec.uid = uid;
    j.spec.gid = 100;
    j.spec.dir = "/home/" + user + "/run";
    j.spec.script = "#!/bin/sh\ntrue\n";
    j.spec.submitted = job_time(submitted);
    j.spec.directives.nprocs_low = nprocs;
    j.spec.directives.nprocs_high = nprocs;
    j.spec.directives.tpip = tpip;
    j.spec.directives.etime_minutes = etime;
    j.spec.directives.confidence = 100;  // reserved span = ETIME: round figures below
    return j;
}

// The report of a plan made now, as the queue daemon makes it.
QueueReport report(const JobQueue& q, const std::set<std::string>& up, const std::string& writer) {
    const SchedulePass pass = q.plan(now, ClusterView{up, {}, {}}, place_first_fit);
    return report_queue(q, now, q.free_cpus(up), pass.waiting, writer);
}

// alice runs on 6 CPUs since 10 minutes ago, for an hour; bob waits for 4.
JobQueue sample_queue() {
    JobQueue q(four_nodes());
    Job alice = job("alice.1", "alice", 1001, 1'799'999'000, 6, 2, 60);
    alice.state = JobState::running;
    alice.started = now - minutes(10);
    // NODE0 is n2: its CPUs come first.
    alice.placement = Placement{{3, 4, 1, 2, 5, 6}, {"n2", "n2", "n1", "n1", "n3", "n3"}};
    REQUIRE(q.add(alice));
    REQUIRE(q.add(job("bob.1", "bob", 1002, 1'799'999'500, 4, 2, 30)));
    return q;
}

}  // namespace

TEST_SUITE("queue report") {
    TEST_CASE("a running and a waiting job give job_status lines, running first") {
        JobQueue q = sample_queue();
        QueueReport r = report(q, all_up, "master1");
        CHECK(r.status.written == now);
        REQUIRE(r.status.jobs.size() == 2);

        const JobStatusLine& running = r.status.jobs[0];
        CHECK(running.id == "alice.1");
        CHECK(running.uid == 1001);
        CHECK(running.gid == 100);
        CHECK(running.priority == 0);  // pri: 0 running, else the place in queue order
        CHECK(running.cpu_count == 6);
        CHECK(running.cpus == std::vector<int>{3, 4, 1, 2, 5, 6});
        CHECK(running.start == now - minutes(10));
        CHECK(running.estimated == seconds(3600));
        CHECK(running.actual == seconds(600));  // Act Time: now - started

        const JobStatusLine& waiting = r.status.jobs[1];
        CHECK(waiting.id == "bob.1");
        CHECK(waiting.uid == 1002);
        CHECK(waiting.cpu_count == 4);
        CHECK(waiting.priority == 1);
        CHECK(waiting.cpus.empty());
        CHECK(waiting.start == now + minutes(50));  // the plan's estimate
        CHECK(waiting.estimated == seconds(1800));
        CHECK(waiting.actual == seconds(0));
    }

    TEST_CASE("a running and a waiting job give JobViews with state, nodes and why") {
        JobQueue q = sample_queue();
        QueueReport r = report(q, all_up, "master1");
        CHECK(r.detail.written == now);
        CHECK(r.detail.writer == "master1");
        CHECK(r.detail.cluster_cpus == 8);
        CHECK(r.detail.free_cpus == 2);
        REQUIRE(r.detail.jobs.size() == 2);

        const JobView& running = r.detail.jobs[0];
        CHECK(running.id == "alice.1");
        CHECK(running.user == "alice");
        CHECK(running.state == "running");
        CHECK(running.nprocs_low == 6);
        CHECK(running.nprocs_high == 6);
        CHECK(running.tpip == 2);
        CHECK(running.cpus == std::vector<int>{3, 4, 1, 2, 5, 6});
        CHECK(running.nodes == std::vector<std::string>{"n2", "n1", "n3"});  // distinct, NODE0 first
        CHECK(running.start == now - minutes(10));
        CHECK_FALSE(running.start_estimated);
        CHECK_FALSE(running.why.waits());
        CHECK(running.etime == seconds(3600));
        CHECK(running.run == seconds(600));
        CHECK(running.dir == "/home/alice/run");
        CHECK(running.submitted == job_time(1'799'999'000));

        const JobView& waiting = r.detail.jobs[1];
        CHECK(waiting.id == "bob.1");
        CHECK(waiting.state == "waiting");
        CHECK(waiting.cpus.empty());
        CHECK(waiting.nodes.empty());
        CHECK(waiting.start == now + minutes(50));
        CHECK(waiting.start_estimated);
        CHECK(waiting.why.code == WaitCode::needs_cpus);
        CHECK(render_wait_reason(waiting.why, now) == "needs 4 CPUs (2 a node), 2 free");
        CHECK(waiting.run == seconds(0));
    }

    TEST_CASE(
        "a waiting job that cannot start with the nodes up now shows no start in the detail, now in "
        "job_status") {
        JobQueue q(four_nodes());
        REQUIRE(q.add(job("bob.1", "bob", 1002, 1'799'999'500, 8, 2, 30)));
        QueueReport r = report(q, {"n1", "n2"}, "master2");
        REQUIRE(r.detail.jobs.size() == 1);
        CHECK_FALSE(r.detail.jobs[0].start.has_value());
        CHECK(r.detail.jobs[0].start_estimated);
        CHECK(r.detail.jobs[0].why.code == WaitCode::cannot_place);
        CHECK(render_wait_reason(r.detail.jobs[0].why, now).find("cannot give them") != std::string::npos);
        CHECK(r.detail.free_cpus == 4);
        REQUIRE(r.status.jobs.size() == 1);
        CHECK(r.status.jobs[0].start == now);
    }

    TEST_CASE("waiting jobs are listed in the plan's order with pri counting from 1") {
        JobQueue q = sample_queue();
        REQUIRE(q.add(job("carol.1", "carol", 1003, 1'799'999'600, 8, 2, 30)));
        std::vector<WaitingEstimate> plan = q.plan(now, ClusterView{all_up, {}, {}}, place_first_fit).waiting;
        REQUIRE(plan.size() == 2);
        // A plan that puts carol first (fair share would) is the order shown.
        std::swap(plan[0], plan[1]);
        plan[0].rank = 1;
        plan[1].rank = 2;
        QueueReport r = report_queue(q, now, 2, plan, "master1");
        REQUIRE(r.status.jobs.size() == 3);
        CHECK(r.status.jobs[1].id == "carol.1");
        CHECK(r.status.jobs[1].priority == 1);
        CHECK(r.status.jobs[2].id == "bob.1");
        CHECK(r.status.jobs[2].priority == 2);
    }

    TEST_CASE("a waiting job the last plan did not see is listed last, with no estimate") {
        JobQueue q = sample_queue();
        QueueReport r = report_queue(q, now, 2, {}, "master1");
        REQUIRE(r.detail.jobs.size() == 2);
        CHECK(r.detail.jobs[1].id == "bob.1");
        CHECK_FALSE(r.detail.jobs[1].start.has_value());
        CHECK(render_wait_reason(r.detail.jobs[1].why, now) == "not planned yet");
        CHECK(r.status.jobs[1].priority == 1);
    }

    TEST_CASE("an empty queue gives no lines") {
        JobQueue q(four_nodes());
        QueueReport r = report(q, all_up, "master1");
        CHECK(r.status.jobs.empty());
        CHECK(r.detail.jobs.empty());
        CHECK(r.detail.free_cpus == 8);
    }
}
