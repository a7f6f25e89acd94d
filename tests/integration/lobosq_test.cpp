// The queue on the demo cluster with real processes: pulse everywhere, the
// queue daemon on both masters, a runner on every compute node; jobs
// submitted with the real lobosq from a directory of the test's.

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <doctest/doctest.h>

#include "config/config_loader.hpp"
#include "lobosq/job/job_record.hpp"
#include "share/formats/cpu_numbering.hpp"
#include "share/formats/job_status.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_cluster.hpp"
#include "tests/support/user_accounts.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Bounds for waits that should end far sooner; they only stop a broken run.
constexpr auto patience = 20s;
// The demo's CancelGrace (config/examples/demo/pulse.conf).
constexpr auto cancel_grace = 1s;

std::string read(const fs::path& p) { return read_file_if_exists(p).value_or(""); }

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

int count_of(const std::string& text, const std::string& part) {
    int n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// A job script that waits for `release` in its directory (bounded: 60 s).
std::string wait_for_release(const std::string& name = "release") {
    return "i=0; while [ ! -e " + name + " ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n";
}

// The demo cluster with the queue, every node up and a queue daemon acting.
struct QueueCluster {
    TestCluster cluster{"lobosq"};
    ScratchDir work{"lobosq-work"};
    DirectoryWatch work_watch{work.path()};

    QueueCluster() {
        cluster.start_everything();
        REQUIRE_MESSAGE(
            cluster.wait_until(
                [&] { return cluster.everything_up() && fs::exists(cluster.root() / "job_status"); },
                patience),
            cluster.logs());
    }

    ProcessResult lobosq(const std::vector<std::string>& args, const std::string& input = "",
                         const std::vector<std::string>& as_user = {}, const fs::path& dir = {}) {
        std::vector<std::string> argv = as_user;
        argv.push_back(program("lobosq"));
        argv.insert(argv.end(), {"--root", cluster.root().string()});
        argv.insert(argv.end(), args.begin(), args.end());
        RunOptions options;
        options.input = input;
        options.working_directory = (dir.empty() ? work.path() : dir).string();
        return run_process(argv, options);
    }

    // Submits and returns the id (the test fails if lobosq does not print one).
    std::string submit(const std::string& script, const std::vector<std::string>& as_user = {},
                       const fs::path& dir = {}) {
        ProcessResult r = lobosq({}, script, as_user, dir);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        std::string id = r.out.substr(0, r.out.find('\n'));
        REQUIRE_MESSAGE(std::regex_match(id, std::regex(R"([a-z_][a-z0-9_.-]*\.\d{12})")), r.out);
        return id;
    }

    template <class Predicate>
    bool wait_in(const fs::path& dir, Predicate predicate, std::chrono::milliseconds timeout = patience) {
        if (dir == work.path()) return work_watch.wait_until(predicate, timeout, 100ms);
        DirectoryWatch watch(dir);
        return watch.wait_until(predicate, timeout, 100ms);
    }

    std::optional<JobDetail> detail() const {
        auto text = read_file_if_exists(cluster.root() / "job_detail.json");
        std::string error;
        return text ? parse_job_detail(*text, error) : std::nullopt;
    }

    bool listed(const std::string& id) const {
        return contains(read(cluster.root() / "job_status"), id + " ");
    }

    bool ended(const std::string& id) const { return contains(cluster.job_log(), id + " ended"); }

    std::string diagnostics() const { return cluster.logs(); }
};

std::map<std::string, std::string> variables(const std::string& log) {
    std::map<std::string, std::string> out;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
        if (auto eq = line.find('='); line.starts_with("LOBOS_") && eq != std::string::npos)
            out[line.substr(0, eq)] = line.substr(eq + 1);
    return out;
}

std::vector<std::string> split(const std::string& text, char by) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, by);)
        if (!item.empty()) out.push_back(item);
    return out;
}

bool alive(pid_t pid) {
    // A zombie is gone for our purpose: it runs nothing.
    std::string stat = read("/proc/" + std::to_string(pid) + "/stat");
    if (stat.empty()) return false;
    auto close = stat.rfind(')');
    return close == std::string::npos || stat.substr(close + 2, 1) != "Z";
}

// Two throwaway users for the tests that need ordinary users (root only).
struct ThrowawayUser {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    explicit ThrowawayUser(const std::string& base) : name(throwaway_user_name(base)) {
        run_process({"/usr/sbin/userdel", name});
        ProcessResult r = add_user(name);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        const passwd* pw = ::getpwnam(name.c_str());
        REQUIRE(pw);
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    ~ThrowawayUser() { run_process({"/usr/sbin/userdel", name}); }
    std::vector<std::string> runs_as() const {
        return {"/usr/bin/setpriv", "--reuid=" + name, "--regid=" + std::to_string(gid), "--init-groups",
                "--"};
    }
};

}  // namespace

TEST_CASE(
    "a 2-CPU job runs with its environment, shows its output as it runs, and is recorded from submit to "
    "end") {
    QueueCluster q;
    const std::string id = q.submit(
        "#!/bin/sh\n#NPROCS 2\n#ETIME 5\necho first line\nenv | sort\n"
        "sed 's/^/nodefile /' \"$LOBOS_NODEFILE\"\necho \"pwd $(pwd)\"\n" +
        wait_for_release() + "echo last line\n");
    const fs::path dir = q.work.path();
    CHECK(read(dir / id).starts_with("#!/bin/sh\n#NPROCS 2"));

    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return fs::exists(dir / (id + ".run")); }), q.diagnostics());
    // The first line is in the log while the job still runs.
    REQUIRE(q.wait_in(dir, [&] { return contains(read(dir / (id + ".log")), "pwd "); }));
    CHECK(fs::exists(dir / (id + ".run")));
    const std::string log = read(dir / (id + ".log"));
    CHECK(log.starts_with("first line\n"));
    CHECK(contains(log, "pwd " + dir.string() + "\n"));
    CHECK_FALSE(contains(log, "last line"));

    auto vars = variables(log);
    CHECK(vars["LOBOS_JOBID"] == id);
    CHECK(vars["LOBOS_NPROCS"] == "2");
    CHECK(vars["LOBOS_TPIP"] == "1");
    const auto cpus = split(vars["LOBOS_CPUS"], ',');
    const auto nodes = split(vars["LOBOS_NODES"], ',');
    REQUIRE(cpus.size() == 2);
    REQUIRE(nodes.size() == 2);  // TPIP 1: one CPU on each of two nodes
    CHECK(nodes[0] != nodes[1]);
    CHECK(count_of(log, "nodefile " + nodes[0] + "\n") == 1);
    CHECK(count_of(log, "nodefile " + nodes[1] + "\n") == 1);
    CHECK(contains(log, "USER=" + std::string(::getpwuid(::getuid())->pw_name) + "\n"));

    // job_status lists it with its CPUs while it runs.
    CHECK(q.cluster.wait_until([&] { return q.listed(id); }, patience));
    CHECK(contains(read(q.cluster.root() / "job_status"), vars["LOBOS_CPUS"]));

    write_file_atomically(dir / "release", "");
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return !fs::exists(dir / (id + ".run")); }), q.diagnostics());
    CHECK(contains(read(dir / (id + ".log")), "last line\n"));
    REQUIRE(q.cluster.wait_until([&] { return q.ended(id) && !q.listed(id); }, patience));
    const std::string job_log = q.cluster.job_log();
    CHECK(contains(job_log, id + " submitted by "));
    CHECK(contains(job_log, id + " dispatched to cpus " + vars["LOBOS_CPUS"]));
    CHECK(contains(job_log, id + " ended: exit 0"));
}

TEST_CASE("a job with a bad directive is refused with its line and reason, and leaves nothing behind") {
    QueueCluster q;
    struct Case {
        std::string script;
        std::string expected;  // in the message
    };
    const std::vector<Case> cases = {
        {"#!/bin/sh\n#NPROCS 0\ntrue\n", "line 2"},
        {"#!/bin/sh\n#ETIME 10\n#ETIME soon\ntrue\n", "line 3"},
        {"#!/bin/sh\n#NPROCS 8-2\ntrue\n", "line 2"},
        {"#!/bin/sh\n#NPROC 4\ntrue\n", "line 2"},
        {"#!/bin/sh\n#CONFidence 101\ntrue\n", "line 2"},
        {"#!/bin/sh\n#TPIP 3\ntrue\n", "line 2"},
        {"#!/bin/sh\n#NPROCS 64\ntrue\n", "line 2"},             // the demo cluster has 16 CPUs
        {"#!/bin/sh\n#NPROCS 9\ntrue\n", "could never run it"},  // TPIP 1: 9 nodes; the demo has 8
    };
    for (const Case& c : cases) {
        CAPTURE(c.script);
        ProcessResult r = q.lobosq({}, c.script);
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(contains(r.err, c.expected));
        CHECK(contains(r.err, "refused"));
    }
    CHECK(fs::is_empty(q.work.path()));
    for (const auto& e : fs::directory_iterator(q.cluster.root() / "spool"))
        CHECK_MESSAGE(e.path().filename().string().starts_with("."), e.path());
    CHECK_FALSE(contains(q.cluster.job_log(), "submitted"));
}

TEST_CASE("a job runs as its submitter, only its owner or root may cancel it, and ADMIN is root's") {
    if (::getuid() != 0) {
        MESSAGE("skipped: creating users needs root");
        return;
    }
    ThrowawayUser alice("lobosa"), bob("lobosb");
    QueueCluster q;
    const fs::path dir = q.work.path() / "alice";
    fs::create_directory(dir);
    REQUIRE(::chown(dir.c_str(), alice.uid, alice.gid) == 0);

    const std::string id =
        q.submit("#NPROCS 1\necho \"uid $(id -u) gid $(id -g) user $USER\"\n" + wait_for_release(),
                 alice.runs_as(), dir);
    CHECK(id.starts_with(alice.name + "."));
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return contains(read(dir / (id + ".log")), "uid "); }),
                    q.diagnostics());
    CHECK(contains(read(dir / (id + ".log")), "uid " + std::to_string(alice.uid) + " gid " +
                                                  std::to_string(alice.gid) + " user " + alice.name));
    struct stat st {};
    REQUIRE(::stat((dir / (id + ".log")).c_str(), &st) == 0);
    CHECK(st.st_uid == alice.uid);  // made as alice, not as root

    ProcessResult by_bob = q.lobosq({"can", id}, "", bob.runs_as(), "/");
    CHECK(by_bob.exit_code == 1);
    CHECK(contains(by_bob.err, "belongs to " + alice.name));
    CHECK(fs::exists(dir / (id + ".run")));
    CHECK(contains(q.cluster.job_log(), "refused to cancel " + id + " for " + bob.name));

    ProcessResult admin = q.lobosq({}, "#ADMIN\ntrue\n", alice.runs_as(), dir);
    CHECK(admin.exit_code == 2);
    CHECK(contains(admin.err, "line 1"));
    CHECK(contains(admin.err, "root"));

    ProcessResult by_root = q.lobosq({"can", id});
    CHECK_MESSAGE(by_root.exit_code == 0, by_root.err);
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return !fs::exists(dir / (id + ".run")); }), q.diagnostics());
    CHECK(q.cluster.wait_until(
        [&] { return contains(q.cluster.job_log(), id + " ended: cancelled by root"); }, patience));
}

TEST_CASE("cancelling a running job ends its whole process tree within the grace period") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    // Children in the job's process group, one that ignores SIGTERM, and one
    // in a session of its own (as a daemonizing program makes).
    const std::string id = q.submit(
        "#NPROCS 1\n"
        "sleep 300 & echo \"pid $!\"\n"
        "sh -c 'trap \"\" TERM; sleep 300 & echo \"pid $!\"; wait' &\necho \"pid $!\"\n"
        "setsid sleep 300 & echo \"pid $!\"\n"
        "echo ready\nwait\n");
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return contains(read(dir / (id + ".log")), "ready"); }),
                    q.diagnostics());
    REQUIRE(q.wait_in(dir, [&] { return count_of(read(dir / (id + ".log")), "pid ") == 4; }));
    std::vector<pid_t> pids;
    for (const std::string& line : split(read(dir / (id + ".log")), '\n'))
        if (line.starts_with("pid ")) pids.push_back(std::stoi(line.substr(4)));
    for (pid_t p : pids) CHECK(alive(p));

    ProcessResult r = q.lobosq({"can", id});
    const auto cancelled = std::chrono::steady_clock::now();
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "cancelling " + id));
    const bool gone = q.wait_in(
        dir,
        [&] { return std::none_of(pids.begin(), pids.end(), alive) && !fs::exists(dir / (id + ".run")); },
        cancel_grace + 5s);
    const auto took = std::chrono::steady_clock::now() - cancelled;
    REQUIRE_MESSAGE(gone, q.diagnostics());
    CHECK(took < cancel_grace + 1s);
    CHECK(q.cluster.wait_until([&] { return contains(q.cluster.job_log(), id + " ended: cancelled by"); },
                               patience));
}

TEST_CASE("twenty submissions within a second get twenty ids and all run once") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    std::set<std::string> ids;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) ids.insert(q.submit("#NPROCS 1\n#ETIME 1\necho $LOBOS_JOBID >> runs\n"));
    MESSAGE("20 submissions took "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s");
    CHECK(ids.size() == 20);
    REQUIRE_MESSAGE(
        q.cluster.wait_until(
            [&] { return std::all_of(ids.begin(), ids.end(), [&](auto& id) { return q.ended(id); }); },
            patience),
        q.diagnostics());
    const auto runs = split(read(dir / "runs"), '\n');
    CHECK(runs.size() == 20);
    CHECK(std::set<std::string>(runs.begin(), runs.end()) == ids);
}

TEST_CASE("a queue daemon killed with jobs waiting and running loses none and runs none twice") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    // 4 CPUs each on a 16-CPU cluster: four run, the rest wait.
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i)
        ids.push_back(q.submit("#NPROCS 4\n#ETIME 1\necho $LOBOS_JOBID >> runs\n" + wait_for_release()));
    REQUIRE(
        q.cluster.wait_until([&] { return count_of(q.cluster.job_log(), " dispatched ") == 4; }, patience));

    q.cluster.kill("lobosqd master1", SIGKILL);
    q.cluster.daemon("lobosqd master1").wait(5s);
    q.cluster.forget("lobosqd master1");
    // Submitted while no daemon acts: kept in the spool.
    ids.push_back(q.submit("#NPROCS 1\necho $LOBOS_JOBID >> runs\n"));
    q.cluster.start_queue_daemon("master1");
    write_file_atomically(dir / "release", "");

    REQUIRE_MESSAGE(
        q.cluster.wait_until(
            [&] { return std::all_of(ids.begin(), ids.end(), [&](auto& id) { return q.ended(id); }); },
            patience + 10s),
        q.diagnostics());
    const auto runs = split(read(dir / "runs"), '\n');
    CHECK(runs.size() == ids.size());
    CHECK(std::set<std::string>(runs.begin(), runs.end()) == std::set<std::string>(ids.begin(), ids.end()));
    for (const std::string& id : ids) CHECK_MESSAGE(count_of(q.cluster.job_log(), id + " ended") == 1, id);
}

TEST_CASE("a waiting job whose dispatch a dead daemon claimed runs once, where the claim says") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    // A holds CPU 5, so B, pinned to CPU 5 too, waits.
    const std::string a = q.submit("#NPROC0 5\n" + wait_for_release());
    REQUIRE(q.cluster.wait_until([&] { return contains(q.cluster.job_log(), a + " dispatched"); }, patience));
    const std::string b = q.submit("#NPROC0 5\necho \"$LOBOS_JOBID $LOBOS_NODES\" >> runs\n");
    const fs::path record = q.cluster.root() / "queue" / (b + ".json");
    REQUIRE(q.cluster.wait_until([&] { return fs::exists(record); }, patience));
    for (const char* master : {"lobosqd master1", "lobosqd master2"}) {
        q.cluster.kill(master, SIGKILL);
        q.cluster.forget(master);
    }
    // A daemon claimed B for CPU 9 and died before its record said so.
    const ConfigLoad config = read_cluster_config(q.cluster.config_dir());
    REQUIRE(config.ok());
    const CpuSlot cpu9 = number_cpus(config.config).at(8);
    std::string error;
    std::optional<Job> claimed = decode_job(read(record), error);
    REQUIRE_MESSAGE(claimed, error);
    REQUIRE(claimed->state == JobState::waiting);
    claimed->state = JobState::running;
    claimed->placement = Placement{{9}, {cpu9.node}};
    claimed->started = JobClock::now();
    REQUIRE(create_file_once(q.cluster.root() / "queue" / "dispatched" / b, encode_job(*claimed), 0600));

    q.cluster.start_queue_daemon("master1");
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.ended(b); }, patience), q.diagnostics());
    CHECK(read(dir / "runs") == b + " " + cpu9.node + "\n");
    CHECK(contains(q.cluster.logs(), b + " was claimed for dispatch to " + cpu9.node + "; running"));
    write_file_atomically(dir / "release", "");
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.ended(a); }, patience), q.diagnostics());
    CHECK(count_of(q.cluster.job_log(), b + " ended") == 1);
    CHECK(read(dir / "runs") == b + " " + cpu9.node + "\n");
}

TEST_CASE("the acting queue daemon removes ended records and dispatch claims older than a week") {
    TestCluster cluster("lobosq-prune");
    const fs::path queue = cluster.root() / "queue";
    const auto now = fs::file_time_type::clock::now();
    const auto eight_days_ago = now - std::chrono::hours(24 * 8);
    for (const fs::path& p :
         {queue / "ended" / "alice.261120101500.json", queue / "dispatched" / "alice.261120101500",
          queue / "ended" / "alice.261205101500.json"}) {
        fs::create_directories(p.parent_path());
        write_file_atomically(p, "{}\n");
        if (p.filename().string().starts_with("alice.26112")) fs::last_write_time(p, eight_days_ago);
    }
    cluster.start_everything();
    REQUIRE_MESSAGE(cluster.wait_until(
                        [&] {
                            return !fs::exists(queue / "ended" / "alice.261120101500.json") &&
                                   !fs::exists(queue / "dispatched" / "alice.261120101500");
                        },
                        patience),
                    cluster.logs());
    CHECK(fs::exists(queue / "ended" / "alice.261205101500.json"));
    CHECK(contains(cluster.logs(), "removed 2 ended records older than a week"));
}

TEST_CASE("a job whose node goes down is marked failed, told why, and its CPUs are freed") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    const std::string id = q.submit("#NPROCS 2\necho \"nodes $LOBOS_NODES\"\n" + wait_for_release());
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return contains(read(dir / (id + ".log")), "nodes "); }),
                    q.diagnostics());
    const std::string log = read(dir / (id + ".log"));
    const std::string second =
        split(log.substr(log.find("nodes ") + 6, log.find('\n', log.find("nodes ")) - log.find("nodes ") - 6),
              ',')
            .at(1);

    // Its pulse and its runner: the node is gone.
    q.cluster.kill(second, SIGKILL);
    q.cluster.kill("runner " + second, SIGKILL);
    REQUIRE_MESSAGE(
        q.cluster.wait_until([&] { return contains(q.cluster.job_log(), id + " ended: failed"); }, patience),
        q.diagnostics());
    CHECK(contains(q.cluster.job_log(), second + " went down"));
    CHECK(q.wait_in(dir, [&] { return !fs::exists(dir / (id + ".run")); }));
    CHECK(contains(read(dir / (id + ".log")), "failed: node " + second + " went down"));
    // Its CPUs are free again: every CPU but the dead node's two.
    CHECK(q.cluster.wait_until(
        [&] {
            auto d = q.detail();
            return d && !q.listed(id) && d->free_cpus == d->cluster_cpus - 2;
        },
        patience));
}

TEST_CASE("a job is not failed while its node's runner still reports, whatever node_status says") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    const std::string id = q.submit("#NPROCS 1\necho started\n" + wait_for_release());
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return contains(read(dir / (id + ".log")), "started"); }),
                    q.diagnostics());
    const std::string node = q.cluster.job_log().substr(q.cluster.job_log().find(id + " dispatched"));
    std::smatch m;
    REQUIRE(std::regex_search(node, m, std::regex(R"(\((\S+)\))")));
    const std::string host = m[1].str();

    // Its pulse stops: node_status shows the node down, but its runner lives.
    q.cluster.kill(host, SIGKILL);
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.cluster.state(host) == false; }, patience),
                    q.diagnostics());
    // Longer than the fallback's NodeTimeOut + MasterTimeOut (2 + 2 s in the demo).
    CHECK_FALSE(q.cluster.wait_until([&] { return q.ended(id); }, 6s));

    // Then its runner stops too: the job is failed.
    q.cluster.kill("runner " + host, SIGKILL);
    REQUIRE_MESSAGE(
        q.cluster.wait_until([&] { return contains(q.cluster.job_log(), id + " ended: failed"); }, patience),
        q.diagnostics());
    write_file_atomically(dir / "release", "");
}

TEST_CASE("restarting the primary master's pulse and then its queue daemon fails no running job") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    std::vector<std::string> ids;
    for (int i = 0; i < 8; ++i)
        ids.push_back(q.submit("#NPROCS 1\necho $LOBOS_JOBID >> started\n" + wait_for_release()));
    const auto started = [&] { return static_cast<int>(split(read(dir / "started"), '\n').size()); };
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return started() == 8; }), q.diagnostics());

    // pulse first: killed and started again at once.
    q.cluster.kill("master1", SIGKILL);
    q.cluster.daemon("master1").wait(5s);
    q.cluster.forget("master1");
    q.cluster.start("master1");
    // The restarted pulse has listened NodeTimeOut (2 s) and more, and
    // everything is up again.
    CHECK_FALSE(q.cluster.wait_until([&] { return contains(q.cluster.job_log(), "failed"); }, 5s));
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.cluster.everything_up(); }, patience),
                    q.diagnostics());

    // Then the queue daemon.
    q.cluster.kill("lobosqd master1", SIGKILL);
    q.cluster.daemon("lobosqd master1").wait(5s);
    q.cluster.forget("lobosqd master1");
    q.cluster.start_queue_daemon("master1");
    CHECK_FALSE(q.cluster.wait_until([&] { return contains(q.cluster.job_log(), "failed"); }, 5s));

    write_file_atomically(dir / "release", "");
    REQUIRE_MESSAGE(
        q.cluster.wait_until(
            [&] { return std::all_of(ids.begin(), ids.end(), [&](auto& id) { return q.ended(id); }); },
            patience),
        q.diagnostics());
    CHECK_MESSAGE(!contains(q.cluster.job_log(), "failed"), q.cluster.job_log());
    for (const std::string& id : ids)
        CHECK_MESSAGE(count_of(q.cluster.job_log(), id + " ended: exit 0") == 1, id);
}

TEST_CASE("when the acting queue daemon dies, the next master's takes over and runs new jobs") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    const std::string before = q.submit("#NPROCS 1\ntrue\n");
    REQUIRE(q.cluster.wait_until([&] { return q.ended(before); }, patience));
    q.cluster.kill("lobosqd master1", SIGKILL);
    const std::string after = q.submit("#NPROCS 1\necho ran\n");
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.ended(after); }, patience), q.diagnostics());
    CHECK(contains(read(dir / (after + ".log")), "ran"));
    CHECK(contains(read(q.cluster.root() / "log" / "lobosqd.master2.log"), "acting for the queue"));
}

TEST_CASE("typed at a terminal, the script is read line by line at a lobosq> prompt until ctrl-d") {
    QueueCluster q;
    // `script` gives lobosq a pseudo-terminal and passes the end of its input on as ctrl-d.
    const std::string command = "cd " + q.work.path().string() + " && exec " + program("lobosq") +
                                " --root " + q.cluster.root().string();
    RunOptions options;
    options.input = "#NPROCS 1\necho typed at a terminal\n";
    ProcessResult r = run_process({"/usr/bin/script", "-qec", command, "/dev/null"}, options);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(count_of(r.out, "lobosq> ") == 3);  // two lines, then ctrl-d
    std::smatch id;
    REQUIRE(std::regex_search(r.out, id, std::regex(R"([a-z_][a-z0-9_.-]*\.\d{12})")));
    CHECK(read(q.work.path() / id.str()) == options.input);
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.ended(id.str()); }, patience), q.diagnostics());
    CHECK(read(q.work.path() / (id.str() + ".log")) == "typed at a terminal\n");
}

namespace {

// The place of a demo compute node in the ring n01-n02-...-n08-n01.
int ring_place(const std::string& node) { return std::stoi(node.substr(1)); }

bool ring_neighbours(const std::string& a, const std::string& b) {
    const int gap = std::abs(ring_place(a) - ring_place(b));
    return gap == 1 || gap == 7;
}

// LOBOS_NODES of a job whose script echoes it first, once its log shows it.
std::vector<std::string> nodes_of(QueueCluster& q, const std::string& id) {
    const fs::path log = q.work.path() / (id + ".log");
    REQUIRE_MESSAGE(q.wait_in(q.work.path(), [&] { return contains(read(log), "LOBOS_NODES="); }),
                    q.diagnostics());
    return split(variables(read(log))["LOBOS_NODES"], ',');
}

}  // namespace

TEST_CASE("on the idle demo cluster a 2-CPU TPIP 1 job gets two neighbours in the ring") {
    QueueCluster q;
    const std::string id = q.submit("#NPROCS 2\n#TPIP 1\necho LOBOS_NODES=$LOBOS_NODES\n");
    const auto nodes = nodes_of(q, id);
    REQUIRE(nodes.size() == 2);
    // One hop apart by a direct link; any two nodes through a hub are two.
    CHECK_MESSAGE(ring_neighbours(nodes[0], nodes[1]), nodes[0] << "," << nodes[1]);
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.ended(id); }, patience), q.diagnostics());

    // With n02 taken whole, first-fit would give n01 and n03 (two hops, through hub1).
    const fs::path dir = q.work.path();
    const std::string holder = q.submit("#NPROCS 2\n#TPIP 2\n#NPROC0 3\n" + wait_for_release());
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return fs::exists(dir / (holder + ".run")); }), q.diagnostics());
    const auto next = nodes_of(q, q.submit("#NPROCS 2\n#TPIP 1\necho LOBOS_NODES=$LOBOS_NODES\n"));
    REQUIRE(next.size() == 2);
    CHECK_MESSAGE(ring_neighbours(next[0], next[1]), next[0] << "," << next[1]);
    write_file_atomically(dir / "release", "");
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.ended(holder); }, patience), q.diagnostics());
}

TEST_CASE("a node killed while jobs wait gets none of them, nor any job submitted after") {
    QueueCluster q;
    const fs::path dir = q.work.path();
    const std::string script = "echo LOBOS_NODES=$LOBOS_NODES\n" + wait_for_release();
    // Every CPU taken, so the next jobs wait.
    const std::string blocker = q.submit("#NPROCS 16\n#TPIP 2\n" + wait_for_release());
    REQUIRE_MESSAGE(q.wait_in(dir, [&] { return fs::exists(dir / (blocker + ".run")); }), q.diagnostics());
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(q.submit("#NPROCS 2\n" + script));
    REQUIRE(q.cluster.wait_until(
        [&] { return std::all_of(ids.begin(), ids.end(), [&](auto& id) { return q.listed(id); }); },
        patience));

    // n03 goes down (its pulse and its runner): the blocker fails and frees
    // the CPUs of the other seven nodes.
    q.cluster.kill("n03", SIGKILL);
    q.cluster.kill("runner n03", SIGKILL);
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.cluster.state("n03") == false; }, patience),
                    q.diagnostics());
    // Six 1-CPU jobs fill the other 14 CPUs exactly (any free CPU takes one,
    // whatever pairs the first four took): a placement on n03 would show.
    for (int i = 0; i < 6; ++i) ids.push_back(q.submit("#NPROCS 1\n" + script));
    for (const std::string& id : ids) {
        const auto nodes = nodes_of(q, id);
        CHECK(!nodes.empty());
        CHECK_MESSAGE(std::find(nodes.begin(), nodes.end(), "n03") == nodes.end(), id);
    }
    CHECK(contains(q.cluster.job_log(), blocker + " ended: failed"));

    write_file_atomically(dir / "release", "");
    REQUIRE_MESSAGE(
        q.cluster.wait_until(
            [&] { return std::all_of(ids.begin(), ids.end(), [&](auto& id) { return q.ended(id); }); },
            patience),
        q.diagnostics());
}

TEST_CASE("a job submitted from a directory whose name is not UTF-8 runs there, the name byte for byte") {
    QueueCluster q;
    const fs::path dir = q.work.path() /
                         "a\xff"
                         "b";
    fs::create_directories(dir);
    const std::string id = q.submit("#NPROCS 1\npwd -P > here\n", {}, dir);
    REQUIRE_MESSAGE(q.cluster.wait_until([&] { return q.ended(id); }, patience), q.diagnostics());
    CHECK(contains(q.cluster.job_log(), id + " ended: exit 0"));
    CHECK(read(dir / "here") == dir.string() + "\n");
    CHECK(fs::exists(dir / (id + ".log")));
}
