// What webstatus makes of the status files: node and link states, CPUs,
// jobs, staleness, the JSON bodies, /metrics, job logs' whereabouts.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "webstatus/content/job_log_index.hpp"
#include "webstatus/content/job_log_source.hpp"
#include "webstatus/content/metrics_text.hpp"
#include "webstatus/content/status_json.hpp"
#include "webstatus_test_cluster.hpp"

using namespace lobos;
using namespace lobos::web;
using namespace lobos::test;
using nlohmann::json;

namespace {

JobView running_job(const std::string& id, std::vector<int> cpus, std::vector<std::string> nodes) {
    JobView job;
    job.id = id;
    job.user = id.substr(0, id.rfind('.'));
    job.uid = 1000;
    job.state = "running";
    job.nprocs_low = job.nprocs_high = static_cast<int>(cpus.size());
    job.cpus = std::move(cpus);
    job.nodes = std::move(nodes);
    job.submitted = at_seconds(990);
    job.start = at_seconds(991);
    job.etime = std::chrono::seconds(600);
    job.run = std::chrono::seconds(9);
    job.dir = "/home/alice";
    return job;
}

StatusSnapshot with_jobs() {
    StatusSnapshot s = webstatus_snapshot();
    auto detail = std::make_shared<JobDetail>();
    detail->cluster_cpus = 4;
    detail->free_cpus = 1;
    detail->jobs.push_back(running_job("alice.261123101500", {1, 3}, {"n01", "n02"}));
    JobView waiting;
    waiting.id = "bob.261123101501";
    waiting.user = "bob";
    waiting.state = "waiting";
    waiting.nprocs_low = 2;
    waiting.nprocs_high = 4;
    waiting.why.code = WaitCode::needs_cpus;
    waiting.why.nprocs_low = 2;
    waiting.why.nprocs_high = 2;
    waiting.why.free_cpus = 1;
    waiting.why.faults = {{"down", {"<script>alert(1)</script>"}, 0}};
    waiting.dir = "/home/bob";
    detail->jobs.push_back(waiting);
    s.job_detail = detail;
    return s;
}

const json& named(const json& list, const std::string& name) {
    for (const json& item : list)
        if (item.value("name", "") == name) return item;
    FAIL("no " << name);
    static json none;
    return none;
}

}  // namespace

TEST_SUITE("webstatus") {
    TEST_CASE("nodes show node_status's states, and CPUs busy are those running jobs hold") {
        const json nodes = json::parse(nodes_json(with_jobs(), at_seconds(1001)));
        REQUIRE(nodes["nodes"].size() == 4);  // every host of config/nodes, the hub too
        const json& n01 = named(nodes["nodes"], "n01");
        CHECK(n01["state"] == "up");
        CHECK(n01["kind"] == "compute");
        CHECK(n01["since"] == 900);
        CHECK(n01["cpus"] == 2);
        CHECK(n01["cpus_busy"] == 1);  // CPU 1 of alice's job
        CHECK(n01["cpus_free"] == 1);
        CHECK(n01["jobs"] == json::array({"alice.261123101500"}));
        const json& n02 = named(nodes["nodes"], "n02");
        CHECK(n02["state"] == "down");
        CHECK(n02["cpus_busy"] == 1);  // CPU 3: the job has not been failed yet
        CHECK(n02["cpus_free"] == 0);  // a down node has no free CPUs
        CHECK(named(nodes["nodes"], "master1")["kind"] == "master");
        CHECK(named(nodes["nodes"], "hub1")["kind"] == "hub");
        CHECK(nodes["stale"] == false);
        CHECK(nodes["age"] == 1.0);
    }

    TEST_CASE("a node node_status does not list is unknown, not up or down") {
        StatusSnapshot s = webstatus_snapshot();
        auto status = std::make_shared<NodeStatus>(*s.node_status);
        status->nodes.erase(status->nodes.begin());
        s.node_status = status;
        const json nodes = json::parse(nodes_json(s, at_seconds(1001)));
        CHECK(named(nodes["nodes"], "n01")["state"] == "unknown");
        CHECK(named(nodes["nodes"], "n01")["cpus_free"] == 0);
    }

    TEST_CASE("node_status older than three heartbeats (at least 3 s) is stale, and none at all is") {
        StatusSnapshot s = webstatus_snapshot();
        CHECK(s.cluster->stale_after.count() == doctest::Approx(3.0));
        CHECK_FALSE(freshness(s, at_seconds(1002.9)).stale);
        CHECK(freshness(s, at_seconds(1003.1)).stale);
        CHECK(*freshness(s, at_seconds(1003.1)).age_seconds == doctest::Approx(3.1));
        CHECK(json::parse(nodes_json(s, at_seconds(1010)))["stale"] == true);
        s.node_status_file.present = false;
        CHECK(freshness(s, at_seconds(1000)).stale);
        CHECK_FALSE(freshness(s, at_seconds(1000)).age_seconds);
        PulseConf slow;
        slow.heartbeat = Seconds(61);
        CHECK(stale_after(slow).count() == doctest::Approx(183));
    }

    TEST_CASE("links show their state from node_status whichever way round it names the ends") {
        StatusSnapshot s = webstatus_snapshot();
        auto status = std::make_shared<NodeStatus>(*s.node_status);
        status->links[0] = {"n02", "n01", "10.0.0.2", "10.0.0.1", true, at_seconds(960)};
        s.node_status = status;
        const json links = json::parse(links_json(s, at_seconds(1001)))["links"];
        REQUIRE(links.size() == 4);
        CHECK(links[0]["name1"] == "n01");
        CHECK(links[0]["state"] == "up");
        CHECK(links[0]["ip1"] == "10.0.0.1");
        CHECK(links[0]["kind"] == "direct");
        CHECK(links[1]["ip2"] == "231.231.231.231");
        CHECK(links[1]["kind"] == "hub");
    }

    TEST_CASE("jobs list running and waiting jobs with why they wait, as data not markup") {
        const json jobs = json::parse(jobs_json(with_jobs(), at_seconds(1001)));
        CHECK(jobs["running"] == 1);
        CHECK(jobs["waiting"] == 1);
        CHECK(jobs["free_cpus"] == 1);
        REQUIRE(jobs["jobs"].size() == 2);
        CHECK(jobs["jobs"][0]["cpus"] == json::array({1, 3}));
        CHECK(jobs["jobs"][0]["start"] == 991);
        CHECK(jobs["jobs"][0]["etime"] == 600);
        CHECK(jobs["jobs"][1]["nprocs"] == "2-4");
        CHECK(jobs["jobs"][1]["why"] == "needs 2 CPUs, 1 free; <script>alert(1)</script> down");
        CHECK(jobs["jobs"][1]["reason"]["code"] == "needs_cpus");
        CHECK(jobs["jobs"][1]["reason"]["free_cpus"] == 1);
        CHECK(jobs["jobs"][1]["reason"]["faults"][0]["nodes"][0] == "<script>alert(1)</script>");
        CHECK(jobs["jobs"][0]["why"] == "");
    }

    TEST_CASE("without job_detail.json the jobs come from job_status alone") {
        StatusSnapshot s = webstatus_snapshot();
        auto status = std::make_shared<JobStatus>();
        JobStatusLine line;
        line.id = "carol.261123101502";
        line.cpu_count = 2;
        line.cpus = {2, 4};
        line.start = at_seconds(995);
        status->jobs.push_back(line);
        s.job_status = status;
        const json jobs = json::parse(jobs_json(s, at_seconds(1001)));
        CHECK(jobs["jobs"][0]["user"] == "carol");
        CHECK(jobs["jobs"][0]["state"] == "running");
        CHECK(named(json::parse(nodes_json(s, at_seconds(1001)))["nodes"], "n02")["cpus_busy"] == 1);
    }

    TEST_CASE("one job is found in the queue's files or in job.log, and an unknown id is not") {
        StatusSnapshot s = with_jobs();
        auto log = std::make_shared<JobLogIndex>();
        log->add_lines(
            "2026-11-23 10:00:00.000 dave.261123100000 submitted by dave (uid 1001): 1 CPUs, TPIP 1, ETIME "
            "1, in "
            "/home/dave, in here\n"
            "2026-11-23 10:00:00.100 dave.261123100000 dispatched to cpus 2 (n01)\n"
            "2026-11-23 10:00:09.000 dave.261123100000 ended: exit 0 after 0:00:09\n");
        s.job_log = log;
        const json alice = json::parse(*job_json(s, "alice.261123101500", at_seconds(1001)))["job"];
        CHECK(alice["state"] == "running");
        CHECK(alice["dir"] == "/home/alice");
        CHECK(alice["log"] == "/api/jobs/alice.261123101500/log");
        const json dave = json::parse(*job_json(s, "dave.261123100000", at_seconds(1001)))["job"];
        CHECK(dave["state"] == "ended");
        CHECK(dave["user"] == "dave");
        CHECK(dave["uid"] == 1001);
        CHECK(dave["dir"] == "/home/dave, in here");
        CHECK(dave["events"].size() == 3);
        CHECK_FALSE(job_json(s, "erin.261123100000", at_seconds(1001)));
    }

    TEST_CASE("the log of a job is DIR/ID.log from its record, and only for jobs a status file knows") {
        StatusSnapshot s = with_jobs();
        auto source = job_log_source(s, "alice.261123101500");
        REQUIRE(source);
        CHECK(source->path == "/home/alice/alice.261123101500.log");
        CHECK(source->uid == 1000u);
        CHECK_FALSE(source->finished);
        CHECK_FALSE(job_log_source(s, "erin.261123100000"));
        CHECK_FALSE(job_log_source(s, "../../etc/passwd"));
        auto log = std::make_shared<JobLogIndex>();
        log->add_lines(
            "2026-11-23 10:00:00.000 frank.261123100000 submitted by frank (uid 7): 1 CPUs, TPIP 1, "
            "ETIME 1, in relative/dir\n");
        s.job_log = log;
        CHECK_FALSE(job_log_source(s, "frank.261123100000"));  // not an absolute directory: no log
    }

    TEST_CASE("job.log is read into jobs, with a partial last line left for later") {
        JobLogIndex index;
        index.add_lines(
            "2026-11-23 10:00:00.000 g.261123100000 submitted by g (uid 5): 2-4 CPUs, TPIP 2, ETIME 5, "
            "ADMIN, in /w\nnot a job line\n2026-11-23 10:00:01.000 refused spool file x: why\n"
            "2026-11-23 10:00:02.000 g.261123100000 ended: killed by signal 9");
        REQUIRE(index.find("g.261123100000"));
        CHECK(index.find("g.261123100000")->dir == "/w");
        CHECK(index.find("g.261123100000")->events.size() == 1);
        CHECK_FALSE(index.find("g.261123100000")->finished);
        CHECK(index.size() == 1);
        for (int i = 0; i < 40; ++i) index.add_lines("2026-11-23 10:00:03.000 g.261123100000 note\n");
        CHECK(index.find("g.261123100000")->events.size() == JobLogIndex::max_events);
        CHECK(index.find("g.261123100000")->events.front().find("submitted") != std::string::npos);
    }

    TEST_CASE("metrics count nodes, links, CPUs, jobs and dropped datagrams in Prometheus text") {
        StatusSnapshot s = with_jobs();
        auto detail = std::make_shared<NodeDetailFile>();
        detail->dropped = {{"bad_tag", 3}, {"not_a_member", 1}};
        s.node_detail = detail;
        const std::string text = metrics_text(s, at_seconds(1001));
        CHECK(text.find("# TYPE lobos_nodes gauge\n") != std::string::npos);
        CHECK(text.find("lobos_nodes{state=\"up\"} 2\n") != std::string::npos);
        CHECK(text.find("lobos_nodes{state=\"down\"} 1\n") != std::string::npos);
        CHECK(text.find("lobos_node_up{node=\"n02\",kind=\"compute\"} 0\n") != std::string::npos);
        CHECK(text.find("lobos_links{state=\"up\"} 3\n") != std::string::npos);
        CHECK(text.find("lobos_links{state=\"down\"} 1\n") != std::string::npos);
        CHECK(text.find("lobos_cpus{state=\"busy\"} 2\n") != std::string::npos);
        CHECK(text.find("lobos_cpus{state=\"free\"} 1\n") != std::string::npos);
        CHECK(text.find("lobos_jobs{state=\"running\"} 1\n") != std::string::npos);
        CHECK(text.find("lobos_jobs{state=\"waiting\"} 1\n") != std::string::npos);
        CHECK(text.find("# TYPE lobos_heartbeat_datagrams_dropped_total counter\n") != std::string::npos);
        CHECK(text.find("lobos_heartbeat_datagrams_dropped_total{reason=\"bad_tag\"} 3\n") !=
              std::string::npos);
        CHECK(text.find("lobos_status_stale 0\n") != std::string::npos);
        CHECK(text.find("lobos_node_status_age_seconds 1\n") != std::string::npos);
        CHECK(metrics_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
    }

    TEST_CASE("the cluster's layout gives every host its kind and both positions") {
        const json cluster = json::parse(cluster_json(*webstatus_snapshot().cluster));
        CHECK(cluster["nodes"].size() == 4);
        CHECK(cluster["nodes"][0]["logical"] == json::array({0.1, 0.2}));
        CHECK(cluster["nodes"][0]["physical"] == json::array({0.3, 0.4}));
        CHECK(cluster["nodes"][2]["rank"] == 1);
        CHECK(cluster["nodes"][3]["kind"] == "hub");
        CHECK(cluster["links"].size() == 4);
        CHECK(cluster["cpus"] == 4);
    }
}
