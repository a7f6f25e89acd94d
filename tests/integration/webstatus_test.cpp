// webstatus against the demo cluster with real processes: pulse everywhere,
// the queue, and webstatus on a loopback address of the cluster's own; the
// API, /metrics and the live log read over HTTP as a browser would.

#include <signal.h>

#include <thread>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "share/io/atomic_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_cluster.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Bounds for waits that should end far sooner; they only stop a broken run.
constexpr auto patience = 20s;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// webstatus for a test cluster, on master1's loopback address and the
// cluster's own port number (pulse's is UDP, this one TCP).
struct WebStatus {
    TestCluster& cluster;
    std::string address;
    std::uint16_t port;
    std::unique_ptr<DaemonProcess> process;

    explicit WebStatus(TestCluster& c) : cluster(c), address(c.address("master1")), port(c.pulse_port()) {
        process = std::make_unique<DaemonProcess>(
            std::vector<std::string>{program("webstatus"), "--root", c.root().string(), "--listen",
                                     address + ":" + std::to_string(port)},
            c.root() / "log" / "webstatus.log");
        // Polling the server until it answers: there is no file to wait on.
        const auto until = std::chrono::steady_clock::now() + patience;
        while (get("/api/status").status != 200 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(50ms);
        REQUIRE_MESSAGE(get("/api/status").status == 200, read_file_if_exists(process->log()).value_or(""));
    }

    HttpReply get(const std::string& target, const std::string& method = "GET") const {
        return http_get(address, port, target, method);
    }
    json api(const std::string& target) const {
        const HttpReply reply = get(target);
        REQUIRE_MESSAGE(reply.status == 200, target << ": " << reply.status << " " << reply.body);
        return json::parse(reply.body);
    }
    // Polls `target` until `predicate` holds for its JSON; how long that took, or nullopt.
    template <class Predicate>
    std::optional<std::chrono::milliseconds> wait_api(const std::string& target, Predicate predicate,
                                                      std::chrono::milliseconds timeout = patience) const {
        const auto start = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - start < timeout) {
            const HttpReply reply = get(target);
            if (reply.status == 200 && predicate(json::parse(reply.body)))
                return std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start);
            std::this_thread::sleep_for(25ms);
        }
        return std::nullopt;
    }
};

std::string state_of(const json& list, const std::string& name) {
    for (const json& item : list)
        if (item["name"] == name) return item["state"];
    return "absent";
}

struct WebCluster {
    TestCluster cluster{"webstatus"};
    ScratchDir work{"webstatus-work"};

    WebCluster() {
        cluster.start_everything();
        REQUIRE_MESSAGE(
            cluster.wait_until(
                [&] { return cluster.everything_up() && fs::exists(cluster.root() / "job_detail.json"); },
                patience),
            cluster.logs());
    }

    std::string submit(const std::string& script, const fs::path& dir) {
        RunOptions options;
        options.input = script;
        options.working_directory = dir.string();
        ProcessResult r = run_process({program("lobosq"), "--root", cluster.root().string()}, options);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        return r.out.substr(0, r.out.find('\n'));
    }
};

}  // namespace

TEST_CASE("webstatus lists every node, link and job of the demo cluster with their states") {
    WebCluster c;
    WebStatus web(c.cluster);
    const std::string id = c.submit("#NPROCS 2\n#ETIME 5\necho started\nsleep 30\n", c.work.path());

    const json cluster = web.api("/api/cluster");
    CHECK(cluster["nodes"].size() == 12);  // 8 compute nodes, 2 masters, 2 hubs
    const json nodes = web.api("/api/nodes");
    REQUIRE(nodes["nodes"].size() == 12);
    for (const json& node : nodes["nodes"]) {
        CAPTURE(node.dump());
        CHECK(node["state"] == "up");
    }
    CHECK(nodes["stale"] == false);
    const json links = web.api("/api/links");
    CHECK(links["links"].size() == 21);  // 20 in the topology file and the master-master link
    for (const json& link : links["links"]) CHECK(link["state"] == "up");

    REQUIRE(web.wait_api("/api/jobs", [&](const json& j) {
        return j["jobs"].size() == 1 && j["jobs"][0]["id"] == id && j["jobs"][0]["state"] == "running";
    }));
    const json job = web.api("/api/jobs/" + id)["job"];
    CHECK(job["cpus"].size() == 2);
    CHECK(job["dir"] == c.work.path().string());
    // The CPUs it holds show busy on its nodes.
    const json busy = web.api("/api/nodes");
    int cpus_busy = 0;
    for (const json& node : busy["nodes"]) cpus_busy += node["cpus_busy"].get<int>();
    CHECK(cpus_busy == 2);

    const HttpReply metrics = web.get("/metrics");
    CHECK(metrics.status == 200);
    CHECK(contains(metrics.headers.at("content-type"), "text/plain; version=0.0.4"));
    CHECK(contains(metrics.body, "lobos_nodes{state=\"up\"} 10\n"));
    CHECK(contains(metrics.body, "lobos_links{state=\"up\"} 21\n"));
    CHECK(contains(metrics.body, "lobos_jobs{state=\"running\"} 1\n"));
    CHECK(contains(metrics.body, "lobos_cpus{state=\"busy\"} 2\n"));
    CHECK(contains(metrics.body, "lobos_status_stale 0\n"));

    const HttpReply page = web.get("/");
    CHECK(page.status == 200);
    CHECK(contains(page.body, "<svg id=\"map\""));
    CHECK(contains(page.headers.at("content-security-policy"), "script-src 'self'"));
    CHECK(web.get("/app.js").status == 200);
}

TEST_CASE("a killed node turns down in /api/nodes and /metrics within NodeTimeOut plus a heartbeat") {
    WebCluster c;
    WebStatus web(c.cluster);
    REQUIRE(state_of(web.api("/api/nodes")["nodes"], "n05") == "up");
    c.cluster.kill("n05", SIGKILL);
    const auto took =
        web.wait_api("/api/nodes", [](const json& j) { return state_of(j["nodes"], "n05") == "down"; });
    REQUIRE_MESSAGE(took, c.cluster.logs());
    // The demo's NodeTimeOut 2 s plus a HeartBeat of 0.5 s; the node may
    // have sent its last heartbeat just before it was killed, so that is
    // the bound from the kill. 0.5 s more for a busy 2-core machine.
    MESSAGE("n05 shown down " << took->count() << " ms after it was killed");
    CHECK(*took <= 3000ms);
    const HttpReply metrics = web.get("/metrics");
    CHECK(contains(metrics.body, "lobos_node_up{node=\"n05\",kind=\"compute\"} 0\n"));
    CHECK(contains(metrics.body, "lobos_nodes{state=\"down\"} 1\n"));
    // Its links go down too.
    CHECK(web.wait_api("/api/links", [](const json& j) {
        for (const json& link : j["links"])
            if ((link["name1"] == "n05" || link["name2"] == "n05") && link["state"] != "down") return false;
        return true;
    }));
}

TEST_CASE("a running job's log grows in the live view, and the view ends when the job does") {
    WebCluster c;
    WebStatus web(c.cluster);
    const fs::path dir = c.work.path();
    const std::string id = c.submit(
        "echo 'first <b>line</b>'\n"
        "i=0; while [ ! -e release ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n"
        "echo second line\n",
        dir);
    REQUIRE(web.wait_api("/api/jobs/" + id, [](const json& j) { return j["job"]["state"] == "running"; }));

    HttpStream stream(web.address, web.port, "/api/jobs/" + id + "/log");
    REQUIRE_MESSAGE(stream.wait_for("first <b>line</b>", patience), stream.received());
    CHECK(contains(stream.received(), "Content-Type: text/event-stream"));
    CHECK_FALSE(contains(stream.received(), "second line"));
    write_file_atomically(dir / "release", "");
    CHECK_MESSAGE(stream.wait_for("second line", patience), stream.received());
    CHECK_MESSAGE(stream.wait_for("event: end", patience), stream.received());
}

TEST_CASE("webstatus answers bad and hostile requests with 4xx, serves only known jobs' logs, and stays up") {
    TestCluster cluster("webstatus-bad");
    WebStatus web(cluster);
    // Path traversal, raw and encoded, and ids that are not job ids.
    for (const char* target :
         {"/api/jobs/../../../etc/passwd/log", "/api/jobs/..%2f..%2f..%2fetc%2fpasswd/log",
          "/api/jobs/%2e%2e/%2e%2e/etc/passwd", "/jobs/../../etc/passwd", "/../../etc/passwd",
          "/api/jobs/root.261124000000/log", "/api/jobs/root.261124000000", "/jobs/root.261124000000",
          "/api/jobs/<script>.261124000000", "/share/web/app.js", "/api/nodes/x"}) {
        CAPTURE(target);
        const HttpReply reply =
            http_exchange(web.address, web.port,
                          std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK(reply.status == 404);
        CHECK_FALSE(contains(reply.body, "root:"));
    }
    CHECK(web.get("/api/nodes", "POST").status == 405);
    CHECK(web.get("/api/nodes", "DELETE").status == 405);
    CHECK(web.get("/api/nodes", "HEAD").status == 200);
    // Malformed requests: CivetWeb answers them 4xx itself, or closes.
    for (const std::string& request :
         {std::string("GARBAGE\r\n\r\n"), std::string("GET /api/nodes HTTP/9.9\r\n\r\n"),
          "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
          std::string("GET /api/nodes HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
          std::string("\r\n\r\n\r\n")}) {
        const HttpReply reply = http_exchange(web.address, web.port, request, 3s);
        CAPTURE(request.substr(0, 40));
        CHECK((reply.status == 0 || (reply.status >= 400 && reply.status < 500)));
    }
    // JSON is never taken for HTML by a browser.
    const HttpReply nodes = web.get("/api/nodes");
    CHECK(nodes.headers.at("content-type") == "application/json");
    CHECK(nodes.headers.at("x-content-type-options") == "nosniff");
    CHECK(web.process->running());
    CHECK(web.get("/api/status").status == 200);
}

TEST_CASE("webstatus keeps serving when status files are missing or broken, and says which") {
    TestCluster cluster("webstatus-missing");  // a configuration, and no daemon writing status files
    WebStatus web(cluster);
    json status = web.api("/api/status");
    CHECK(status["stale"] == true);
    for (const json& file : status["files"])
        if (file["name"] != "job.log") CHECK(file["problem"] == "missing");
    CHECK(web.api("/api/nodes")["nodes"].size() == 12);  // from the configuration, state unknown
    CHECK(state_of(web.api("/api/nodes")["nodes"], "n01") == "unknown");

    write_file_atomically(
        cluster.root() / "job_detail.json",
        "{\"written\":1,\"writer\":\"master1\",\"cluster_cpus\":16,\"free_cpus\":16,\"jobs\":[]}");
    REQUIRE(web.wait_api("/api/jobs", [](const json& j) { return j["free_cpus"] == 16; }));
    write_file_atomically(cluster.root() / "job_detail.json", "{\"written\":1,\"jobs\":[{\"id\":");
    REQUIRE(web.wait_api("/api/status", [](const json& j) {
        for (const json& file : j["files"])
            if (file["name"] == "job_detail.json") return contains(file["problem"], "does not parse");
        return false;
    }));
    CHECK(web.api("/api/jobs")["free_cpus"] == 16);  // the last good copy
    CHECK(contains(web.get("/metrics").body, "lobos_status_file_problem{file=\"job_detail.json\"} 1\n"));
}

TEST_CASE("webstatus refuses a bad --listen, naming what is wrong") {
    TestCluster cluster("webstatus-listen");
    ProcessResult r =
        run_process({program("webstatus"), "--root", cluster.root().string(), "--listen", "nowhere:80"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "webstatus: --listen 'nowhere:80': 'nowhere' is not an IPv4 address"));
}
