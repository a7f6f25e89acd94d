// The scheduler end to end on a cluster whose links are real (network
// namespaces, root only): jobs wait behind one that holds every CPU, with
// estimated starts in job_status and `lobosq stat`; then a node is killed
// and another node's links are cut, and no job, waiting or new, lands on
// either of them.

#include <signal.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include <doctest/doctest.h>

#include "share/formats/job_status.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/directory_watch.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/netns_cluster.hpp"
#include "tests/support/ring_config.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto patience = 20s;

std::string read(const fs::path& p) { return read_file_if_exists(p).value_or(""); }

struct RingQueue {
    ScratchDir source{"sched-netns-config"};
    std::optional<NetnsCluster> net;
    ScratchDir work{"sched-netns-work"};

    RingQueue() {
        write_ring_config(source.path(), "CancelGrace 1\n");
        net.emplace("sched-netns", source.path());
        TestCluster& c = net->cluster();
        c.start_all();
        c.start_queue_daemon("master1");
        for (const char* n : {"n1", "n2", "n3", "n4"}) c.start_runner(n);
        REQUIRE_MESSAGE(
            c.wait_until([&] { return c.everything_up() && fs::exists(c.root() / "job_status"); }, patience),
            c.logs());
    }
    TestCluster& cluster() { return net->cluster(); }

    ProcessResult lobosq(const std::vector<std::string>& args, const std::string& input = "") {
        std::vector<std::string> argv{program("lobosq"), "--root", cluster().root().string()};
        argv.insert(argv.end(), args.begin(), args.end());
        RunOptions options;
        options.input = input;
        options.working_directory = work.path().string();
        return run_process(argv, options);
    }
    std::string submit(const std::string& script) {
        ProcessResult r = lobosq({}, script);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        return r.out.substr(0, r.out.find('\n'));
    }
    std::optional<JobDetail> detail() {
        std::string error;
        auto text = read_file_if_exists(cluster().root() / "job_detail.json");
        return text ? parse_job_detail(*text, error) : std::nullopt;
    }
    const JobView* view(const JobDetail& d, const std::string& id) {
        for (const JobView& j : d.jobs)
            if (j.id == id) return &j;
        return nullptr;
    }
    bool running(const std::string& id) { return fs::exists(work.path() / (id + ".run")); }
    bool ended(const std::string& id) { return cluster().job_log().find(id + " ended") != std::string::npos; }
};

std::string wait_for(const std::string& name) {
    return "i=0; while [ ! -e " + name + " ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n";
}

}  // namespace

TEST_SUITE("scheduler in network namespaces") {
    TEST_CASE(
        "waiting jobs show estimated starts, and after a node is killed and another cut off no job lands on "
        "either (network namespaces)") {
        if (auto why = why_no_network_namespaces()) {
            MESSAGE("skipped: " << *why);
            return;
        }
        RingQueue q;
        TestCluster& cluster = q.cluster();
        const fs::path dir = q.work.path();

        // Every CPU held, a node a job, for an ETIME of 30 minutes (33 reserved at CONF 90).
        std::vector<std::string> blockers;
        for (int cpu : {1, 3, 5, 7})
            blockers.push_back(q.submit("#NPROCS 2\n#TPIP 2\n#ETIME 30\n#NPROC0 " + std::to_string(cpu) +
                                        "\n" + wait_for(cpu <= 3 ? "release12" : "release34")));
        REQUIRE_MESSAGE(cluster.wait_until(
                            [&] {
                                return std::all_of(blockers.begin(), blockers.end(),
                                                   [&](auto& id) { return q.running(id); });
                            },
                            patience),
                        cluster.logs());
        const std::string job = "#NPROCS 2\n#TPIP 2\n#ETIME 10\n#CONF 100\necho LOBOS_NODES=$LOBOS_NODES\n";
        std::vector<std::string> waiting;
        for (int i = 0; i < 3; ++i) waiting.push_back(q.submit(job + wait_for("release2")));

        // Estimated starts: the first two when the first blockers' reserved spans end, the third after.
        std::optional<JobDetail> d;
        REQUIRE_MESSAGE(cluster.wait_until(
                            [&] {
                                d = q.detail();
                                return d && std::all_of(waiting.begin(), waiting.end(),
                                                        [&](const std::string& id) {
                                                            return q.view(*d, id) && q.view(*d, id)->start;
                                                        });
                            },
                            patience),
                        cluster.logs());
        StatusClock::time_point last_blocker_start{};
        for (const std::string& id : blockers) {
            const JobView* b = q.view(*d, id);
            REQUIRE(b);
            REQUIRE(b->start);
            last_blocker_start = std::max(last_blocker_start, *b->start);
        }
        for (const std::string& id : waiting) {
            const JobView* w = q.view(*d, id);
            CHECK(w->start_estimated);
            // Blockers started within a second of each other: each estimate is one blocker's end.
            CHECK(*w->start - last_blocker_start <= std::chrono::minutes(33));
            CHECK(*w->start - last_blocker_start > std::chrono::minutes(32));
            CHECK(render_wait_reason(w->why, d->written).find("needs 2 CPUs (2 a node), 0 free") == 0);
        }
        const JobStatusRead status = parse_job_status(read(cluster.root() / "job_status"));
        int estimated = 0;
        for (const JobStatusLine& line : status.status.jobs)
            if (std::find(waiting.begin(), waiting.end(), line.id) != waiting.end()) {
                CHECK(line.start - last_blocker_start > std::chrono::minutes(32));
                CHECK(line.priority >= 1);
                ++estimated;
            }
        CHECK(estimated == 3);
        const ProcessResult stat = q.lobosq({"stat"});
        CHECK(stat.exit_code == 0);
        CHECK_MESSAGE(std::count(stat.out.begin(), stat.out.end(), '~') >= 3, stat.out);

        // --test-only plans a fourth one without queuing it.
        const ProcessResult probe = q.lobosq({"--test-only"}, job);
        CHECK_MESSAGE(probe.exit_code == 0, probe.err);
        CHECK_MESSAGE(probe.out.find("would start about") != std::string::npos, probe.out);
        CHECK_MESSAGE(probe.out.find("on cpus ") != std::string::npos, probe.out);

        // n4 dies; n3 loses its hub port and its link to n2, and with n4
        // gone no path joins it to the masters: both go down, and their
        // blockers fail. Their runners stop too: a job whose runner still
        // reports it is never failed (lobosq/scheduler/node_loss.hpp).
        cluster.kill("n4", SIGKILL);
        cluster.kill("runner n4", SIGKILL);
        cluster.kill("runner n3", SIGKILL);
        q.net->set_hub_port_forwarding("n3", "hub1", false);
        q.net->set_direct_link_up("n3", "n2", false);
        REQUIRE_MESSAGE(
            cluster.wait_until([&] { return cluster.state("n4") == false && cluster.state("n3") == false; },
                               patience),
            cluster.logs());
        REQUIRE_MESSAGE(
            cluster.wait_until([&] { return q.ended(blockers[2]) && q.ended(blockers[3]); }, patience),
            cluster.logs());
        std::vector<std::string> all = waiting;
        for (int i = 0; i < 2; ++i)
            all.push_back(q.submit("#NPROCS 1\necho LOBOS_NODES=$LOBOS_NODES\n" + wait_for("release2")));

        // Free CPUs on n3 and n4, but nothing starts there; the waiting jobs
        // say why, naming the nodes.
        REQUIRE_MESSAGE(cluster.wait_until(
                            [&] {
                                d = q.detail();
                                if (!d) return false;
                                const JobView* v = q.view(*d, all.back());
                                const std::string why = v ? render_wait_reason(v->why, d->written) : "";
                                return why.find("n4 down") != std::string::npos &&
                                       why.find("n3") != std::string::npos;
                            },
                            patience),
                        cluster.logs());
        CHECK(std::none_of(all.begin(), all.end(), [&](auto& id) { return q.running(id) || q.ended(id); }));

        // n1 and n2 free: the jobs run there, a pair and then the rest.
        write_file_atomically(dir / "release12", "");
        REQUIRE_MESSAGE(cluster.wait_until(
                            [&] {
                                return std::count_if(all.begin(), all.end(),
                                                     [&](auto& id) { return q.running(id); }) >= 2;
                            },
                            patience),
                        cluster.logs());
        write_file_atomically(dir / "release2", "");
        REQUIRE_MESSAGE(
            cluster.wait_until(
                [&] { return std::all_of(all.begin(), all.end(), [&](auto& id) { return q.ended(id); }); },
                patience),
            cluster.logs());
        for (const std::string& id : all) {
            const std::string log = read(dir / (id + ".log"));
            std::smatch m;
            REQUIRE_MESSAGE(std::regex_search(log, m, std::regex("LOBOS_NODES=(\\S*)")), id << ": " << log);
            CHECK_MESSAGE(m[1].str().find("n3") == std::string::npos, id << " ran on " << m[1].str());
            CHECK_MESSAGE(m[1].str().find("n4") == std::string::npos, id << " ran on " << m[1].str());
        }
        write_file_atomically(dir / "release34", "");
    }
}
