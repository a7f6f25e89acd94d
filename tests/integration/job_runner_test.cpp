// lobos-runner on its own: the runner of compute node n01 of a scratch
// cluster root, with the queue daemon's orders written by hand
// (encode_start_order, encode_cancel_order) as the daemon writes them. Jobs
// that must wait for the test read a line from a FIFO in their directory,
// which the test writes when it has seen what it wanted; every other wait is
// bounded and wakes on changes of the directory it watches.

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <doctest/doctest.h>

#include "lobosq/job/node_orders.hpp"
#include "lobosq/runner/process_tree.hpp"
#include "share/formats/job_id.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/user_accounts.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Bounds for waits that should end far sooner; they only stop a broken run.
constexpr auto state_timeout = std::chrono::milliseconds(15'000);
constexpr double cancel_grace = 1.0;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const std::string& l : lines_of(text))
        if (l == line) return true;
    return false;
}

// A process that ran and is gone (or a zombie: it runs nothing).
bool gone(const ProcessInfo& process) {
    auto now = read_process(process.pid);
    return !now || now->start_time != process.start_time || now->state == 'Z';
}

std::string command_name(pid_t pid) {
    std::string comm = read_text("/proc/" + std::to_string(pid) + "/comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    return comm;
}

// Whom a job runs as.
struct JobOwner {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

JobOwner this_user() {
    const passwd* pw = ::getpwuid(::getuid());
    REQUIRE(pw);
    return {pw->pw_name, pw->pw_uid, pw->pw_gid};
}

// A user made for one test (root only), removed again however the test ends.
struct ThrowawayUser {
    JobOwner owner;
    explicit ThrowawayUser(const std::string& base) {
        owner.name = throwaway_user_name(base);
        run_process({"/usr/sbin/userdel", owner.name});
        ProcessResult r = add_user(owner.name);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        const passwd* pw = ::getpwnam(owner.name.c_str());
        REQUIRE(pw);
        owner.uid = pw->pw_uid;
        owner.gid = pw->pw_gid;
    }
    ~ThrowawayUser() { run_process({"/usr/sbin/userdel", owner.name}); }
    ThrowawayUser(const ThrowawayUser&) = delete;
    ThrowawayUser& operator=(const ThrowawayUser&) = delete;
};

// The runner of n01 in a scratch cluster root with the demo configuration,
// and a directory that jobs are "submitted" from.
class RunnerNode {
public:
    explicit RunnerNode(const JobOwner& owner)
        : owner_(owner), scratch_("runner"), root_(scratch_.path()), jobs_dir_(root_ / "jobs") {
        fs::create_directories(root_ / "config");
        for (const char* file : {"nodes", "topology", "pulse.conf"})
            fs::copy_file(source_path("config/examples/demo") + "/" + file, root_ / "config" / file);
        fs::create_directories(jobs_dir_);
        // The scratch directory is the test's; its parents must let the job's user through.
        fs::permissions(root_, fs::perms(0755));
        fs::permissions(jobs_dir_, fs::perms(0755));
        REQUIRE(::chown(jobs_dir_.c_str(), owner.uid, owner.gid) == 0);
        fs::create_directories(root_ / "nodes");
        DirectoryWatch nodes(root_ / "nodes");
        start_runner();
        REQUIRE_MESSAGE(nodes.wait_until([&] { return fs::is_directory(node_dir()); }, state_timeout), log());
        node_watch_ = std::make_unique<DirectoryWatch>(node_dir());
        jobs_watch_ = std::make_unique<DirectoryWatch>(jobs_dir_);
    }
    ~RunnerNode() {
        runner_.reset();
        kill_leftovers();
    }
    RunnerNode(const RunnerNode&) = delete;
    RunnerNode& operator=(const RunnerNode&) = delete;

    fs::path node_dir() const { return root_ / "nodes" / "n01"; }
    const fs::path& jobs_dir() const { return jobs_dir_; }
    std::string log() const { return read_text(root_ / "runner.log"); }

    void start_runner() {
        runner_ = std::make_unique<DaemonProcess>(
            std::vector<std::string>{program("lobos-runner"), "--node", "n01", "--root", root_.string()},
            root_ / "runner.log");
    }
    DaemonProcess& runner() { return *runner_; }
    void forget_runner() { runner_.reset(); }

    // A new job id of the owner's, a second later than the last.
    std::string next_id() {
        return make_job_id(owner_.name,
                           JobTime(std::chrono::hours(24 * 365 * 56)) + std::chrono::seconds(jobs_++));
    }

    StartOrder order(const std::string& id, const std::string& script) const {
        StartOrder order;
        order.spec.id = id;
        order.spec.user = owner_.name;
        order.spec.uid = owner_.uid;
        order.spec.gid = owner_.gid;
        order.spec.dir = jobs_dir_.string();
        order.spec.script = script;
        order.spec.directives.tpip = 2;
        order.spec.submitted = JobClock::now();
        order.spec.environment = {
            {"PATH", "/usr/bin:/bin"}, {"FROM_SUBMITTER", "yes"}, {"LOBOS_CPUS", "stale"}};
        order.placement.cpus = {1, 2, 3};
        order.placement.nodes = {"n01", "n01", "n02"};
        order.cancel_grace_seconds = cancel_grace;
        order.dispatched = JobClock::now();
        return order;
    }

    void send_start(const StartOrder& order) {
        write_file_atomically(node_dir() / (order.spec.id + ".start"), encode_start_order(order));
    }
    void send_cancel(const std::string& id, const std::string& reason) {
        write_file_atomically(node_dir() / (id + ".cancel"), encode_cancel_order({reason}));
    }

    std::optional<JobReport> report(const std::string& id) const {
        auto text = read_file_if_exists(node_dir() / (id + ".state"));
        if (!text) return std::nullopt;
        std::string error;
        auto report = decode_job_report(*text, error);
        REQUIRE_MESSAGE(report, error);
        return report;
    }

    bool wait_for_state(const std::string& id, RunnerState state) {
        return node_watch_->wait_until(
            [&] {
                auto r = report(id);
                return r && r->state == state;
            },
            state_timeout);
    }
    template <class Predicate>
    bool wait_in_jobs_dir(Predicate predicate) {
        return jobs_watch_->wait_until(predicate, state_timeout);
    }

    // A FIFO a job reads a line from before it goes on: `read go < NAME`.
    fs::path make_gate(const std::string& name) const {
        const fs::path path = jobs_dir_ / name;
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
        REQUIRE(::chown(path.c_str(), owner_.uid, owner_.gid) == 0);
        return path;
    }
    // Lets a job waiting at the gate go on; false when nobody is reading.
    static bool open_gate(const fs::path& gate) {
        const int fd = ::open(gate.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) return false;
        const bool written = ::write(fd, "go\n", 3) == 3;
        ::close(fd);
        return written;
    }

private:
    // Shepherds carry the runner's command line (--root ROOT) and jobs
    // their LOBOS_NODEFILE: whatever a failed test left running goes.
    void kill_leftovers() const {
        const std::string mark = root_.string();
        for (const ProcessInfo& p : read_process_table()) {
            if (p.pid == ::getpid()) continue;
            const std::string base = "/proc/" + std::to_string(p.pid);
            if (read_text(base + "/cmdline").find(mark) != std::string::npos ||
                read_text(base + "/environ").find(mark) != std::string::npos)
                ::kill(p.pid, SIGKILL);
        }
    }

    JobOwner owner_;
    ScratchDir scratch_;
    fs::path root_;
    fs::path jobs_dir_;
    std::unique_ptr<DaemonProcess> runner_;
    std::unique_ptr<DirectoryWatch> node_watch_;
    std::unique_ptr<DirectoryWatch> jobs_watch_;
    int jobs_ = 0;
};

// The whole life of one job as `owner`: ID.run while it runs, its output in
// ID.log as it is written, the environment it sees, the node list file, and
// ID.state running then ended with its exit status.
void check_a_job_runs_and_ends(const JobOwner& owner) {
    RunnerNode node(owner);
    const std::string id = node.next_id();
    const fs::path gate = node.make_gate("gate");
    const std::string script =
        "#!/bin/sh\n"
        "echo first line\n"
        "read go < gate\n"
        "env | grep -E '^(LOBOS_|USER=|LOGNAME=|HOME=|FROM_SUBMITTER=)'\n"
        "echo \"pwd=$(pwd)\"\n"
        "echo \"nodefile lines=$(wc -l < \"$LOBOS_NODEFILE\")\"\n"
        "sed 's/^/nodefile: /' \"$LOBOS_NODEFILE\"\n"
        "echo \"ids=$(id -u) $(id -g)\"\n"
        "exit 3\n";
    node.send_start(node.order(id, script));
    const fs::path run = node.jobs_dir() / (id + ".run");
    const fs::path log = node.jobs_dir() / (id + ".log");

    REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::running), node.log());
    CHECK(fs::exists(run));
    // Output reaches the log as it is written, while the job still runs.
    REQUIRE_MESSAGE(node.wait_in_jobs_dir([&] { return read_text(log) == "first line\n"; }), read_text(log));
    struct stat log_status {};
    REQUIRE(::stat(log.c_str(), &log_status) == 0);
    CHECK(log_status.st_uid == owner.uid);
    CHECK((log_status.st_mode & 0777) == 0644);
    const JobReport running = *node.report(id);
    CHECK(running.shepherd_pid > 0);
    CHECK(running.shepherd_start > 0);
    CHECK(running.job_pgid > 0);
    CHECK(running.started.has_value());
    const fs::path nodefile = node.node_dir() / (id + ".nodes");
    CHECK(read_text(nodefile) == "n01\nn01\nn02\n");
    // A link to the file every job on these hosts shares: no file made per job.
    const fs::path shared = node.node_dir() / ".nodefiles" / "hosts-n01,n01,n02";
    struct stat nodefile_status {};
    REQUIRE(::stat(nodefile.c_str(), &nodefile_status) == 0);
    CHECK(nodefile_status.st_nlink == 2);
    CHECK(read_text(shared) == read_text(nodefile));

    REQUIRE(RunnerNode::open_gate(gate));
    REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
    const JobReport ended = *node.report(id);
    REQUIRE(ended.end.has_value());
    CHECK(ended.end->outcome == JobOutcome::exited);
    CHECK(ended.end->exit_code == 3);
    CHECK(ended.shepherd_pid == running.shepherd_pid);
    CHECK(!fs::exists(run));
    CHECK(!fs::exists(nodefile));
    CHECK(fs::exists(shared));  // kept for the next job on these hosts

    const std::string output = read_text(log);
    INFO(output);
    CHECK(has_line(output, "LOBOS_JOBID=" + id));
    CHECK(has_line(output, "LOBOS_NPROCS=3"));
    CHECK(has_line(output, "LOBOS_TPIP=2"));
    CHECK(has_line(output, "LOBOS_CPUS=1,2,3"));
    CHECK(has_line(output, "LOBOS_NODES=n01,n02"));
    CHECK(has_line(output, "LOBOS_NODEFILE=" + nodefile.string()));
    CHECK(has_line(output, "FROM_SUBMITTER=yes"));
    CHECK(has_line(output, "USER=" + owner.name));
    CHECK(has_line(output, "LOGNAME=" + owner.name));
    CHECK(has_line(output, "pwd=" + node.jobs_dir().string()));
    CHECK(has_line(output, "nodefile lines=3"));
    CHECK(has_line(output, "nodefile: n02"));
    CHECK(has_line(output, "ids=" + std::to_string(owner.uid) + " " + std::to_string(owner.gid)));
}

// The processes in the subtree of a job's shepherd (and its process group).
std::vector<ProcessInfo> job_processes(const JobReport& report) {
    const auto table = read_process_table();
    const auto pids = descendants_of(report.shepherd_pid, report.job_pgid, table);
    std::vector<ProcessInfo> processes;
    for (const ProcessInfo& p : table)
        if (std::find(pids.begin(), pids.end(), p.pid) != pids.end()) processes.push_back(p);
    return processes;
}

int sleeps_among(const std::vector<ProcessInfo>& processes) {
    int count = 0;
    for (const ProcessInfo& p : processes) count += command_name(p.pid) == "sleep";
    return count;
}

}  // namespace

TEST_SUITE("lobos-runner") {
    TEST_CASE(
        "a job runs in its directory with its environment, output as it comes, and ends with its status") {
        check_a_job_runs_and_ends(this_user());
    }

    TEST_CASE("as root, a job runs with its user's uid and gid, and its files are the user's") {
        if (::getuid() != 0) {
            MESSAGE("skipped: creating users needs root");
            return;
        }
        ThrowawayUser user("lobosr");
        check_a_job_runs_and_ends(user.owner);
    }

    TEST_CASE("a cancelled job's whole process tree is gone within the grace and a second") {
        RunnerNode node(this_user());
        const std::string id = node.next_id();
        // Two children, one in a session of its own, and one that ignores
        // SIGTERM (and so needs the SIGKILL after the grace).
        const std::string script =
            "sh -c 'sleep 100 & sleep 100 & setsid sleep 100 & (trap \"\" TERM; exec sleep 100) & wait'\n";
        node.send_start(node.order(id, script));
        REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::running), node.log());
        const JobReport running = *node.report(id);
        std::vector<ProcessInfo> processes;
        REQUIRE(node.wait_in_jobs_dir([&] {
            processes = job_processes(running);
            return sleeps_among(processes) == 4;
        }));
        CHECK(fs::exists(node.jobs_dir() / (id + ".run")));

        const auto cancelled_at = std::chrono::steady_clock::now();
        node.send_cancel(id, "cancelled by tester");
        REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
        const auto took = std::chrono::steady_clock::now() - cancelled_at;
        CHECK(took < std::chrono::duration<double>(cancel_grace + 1.0));
        for (const ProcessInfo& p : processes) CHECK_MESSAGE(gone(p), "pid " << p.pid << " still runs");
        // The shepherd writes the end, then leaves.
        const ProcessInfo shepherd{running.shepherd_pid, 'S', 0, 0, running.shepherd_start};
        CHECK(node.wait_in_jobs_dir([&] { return gone(shepherd); }));

        const JobReport ended = *node.report(id);
        REQUIRE(ended.end.has_value());
        CHECK(ended.end->outcome == JobOutcome::cancelled);
        CHECK(ended.end->reason == "cancelled by tester");
        CHECK(!fs::exists(node.jobs_dir() / (id + ".run")));
        const auto log_lines = lines_of(read_text(node.jobs_dir() / (id + ".log")));
        REQUIRE(!log_lines.empty());
        CHECK(log_lines.back() == "lobosq: job " + id + " cancelled by tester");
    }

    TEST_CASE("what a job leaves running when its script ends is killed, daemonized or not") {
        RunnerNode node(this_user());
        const std::string id = node.next_id();
        node.send_start(node.order(id, "setsid sleep 100 &\necho $! > left.pid\nsleep 100 &\nexit 0\n"));
        REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
        const JobReport ended = *node.report(id);
        CHECK(ended.end->outcome == JobOutcome::exited);
        CHECK(ended.end->exit_code == 0);
        const pid_t left = std::stoi(read_text(node.jobs_dir() / "left.pid"));
        // Reaped by the shepherd before it wrote the end: no such process at all.
        CHECK(!read_process(left));
        CHECK(job_processes(ended).empty());
    }

    TEST_CASE("a job whose start order is written again after it ended is not started again") {
        RunnerNode node(this_user());
        const std::string once = node.next_id();
        const StartOrder order = node.order(once, "echo ran >> count\n");
        node.send_start(order);
        REQUIRE_MESSAGE(node.wait_for_state(once, RunnerState::ended), node.log());
        const auto first_end = read_file_if_exists(node.node_dir() / (once + ".state"));

        // The runner reads the whole directory on every change: once a job
        // ordered after the rewrite has ended, the rewrite has been seen.
        const auto rewrite_then_run_another = [&] {
            node.send_start(order);
            const std::string other = node.next_id();
            node.send_start(node.order(other, "true\n"));
            REQUIRE_MESSAGE(node.wait_for_state(other, RunnerState::ended), node.log());
            CHECK(read_text(node.jobs_dir() / "count") == "ran\n");
            CHECK(read_file_if_exists(node.node_dir() / (once + ".state")) == first_end);
        };
        rewrite_then_run_another();

        // Nor by the next runner.
        node.runner().signal(SIGTERM);
        CHECK(node.runner().wait(state_timeout) == 0);
        node.forget_runner();
        node.start_runner();
        rewrite_then_run_another();
    }

    TEST_CASE(
        "a job whose start order comes again after the queue cleared its files is not run again, and says "
        "why") {
        RunnerNode node(this_user());
        const std::string once = node.next_id();
        const StartOrder order = node.order(once, "echo ran >> count\n");
        node.send_start(order);
        REQUIRE_MESSAGE(node.wait_for_state(once, RunnerState::ended), node.log());
        // The queue daemon recorded the end and cleared the job's files (the
        // runner, restarted, remembers nothing else of the job); a daemon
        // with an older view of the queue then hands it over again.
        node.runner().signal(SIGTERM);
        CHECK(node.runner().wait(state_timeout) == 0);
        node.forget_runner();
        fs::remove(node.node_dir() / (once + ".state"));
        fs::remove(node.node_dir() / (once + ".start"));
        node.start_runner();
        node.send_start(order);
        REQUIRE_MESSAGE(node.wait_for_state(once, RunnerState::ended), node.log());
        CHECK(read_text(node.jobs_dir() / "count") == "ran\n");
        const std::string state = read_file_if_exists(node.node_dir() / (once + ".state")).value_or("");
        CHECK_MESSAGE(state.find("not started again") != std::string::npos, state);
    }

    TEST_CASE("a runner that restarts leaves a running job alone and can still cancel it") {
        RunnerNode node(this_user());
        const std::string id = node.next_id();
        node.make_gate("gate");
        node.send_start(node.order(id, "read go < gate\n"));
        REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::running), node.log());
        const JobReport running = *node.report(id);

        node.runner().signal(SIGKILL);
        REQUIRE(node.runner().wait(state_timeout).has_value());
        node.forget_runner();
        node.start_runner();
        // The new runner has read the directory once the next job has ended.
        const std::string other = node.next_id();
        node.send_start(node.order(other, "true\n"));
        REQUIRE_MESSAGE(node.wait_for_state(other, RunnerState::ended), node.log());
        CHECK(node.report(id)->state == RunnerState::running);
        CHECK(!gone(ProcessInfo{running.shepherd_pid, 'S', 0, 0, running.shepherd_start}));

        node.send_cancel(id, "cancelled by tester");
        REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
        CHECK(node.report(id)->end->outcome == JobOutcome::cancelled);
    }

    TEST_CASE("orders the runner cannot carry out end the job with the reason") {
        RunnerNode node(this_user());

        SUBCASE("a start order that is not one") {
            const std::string id = node.next_id();
            write_file_atomically(node.node_dir() / (id + ".start"), "{\"spec\": 3}");
            REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
            const JobReport ended = *node.report(id);
            CHECK(ended.end->outcome == JobOutcome::failed);
            CHECK(ended.end->reason.find(id + ".start: ") == 0);
        }
        SUBCASE("a job cancelled before it started never starts") {
            const std::string id = node.next_id();
            node.send_cancel(id, "cancelled by tester");
            node.send_start(node.order(id, "echo ran > ran\n"));
            REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
            const JobReport ended = *node.report(id);
            CHECK(ended.end->outcome == JobOutcome::cancelled);
            CHECK(ended.end->reason == "cancelled by tester");
            CHECK(!fs::exists(node.jobs_dir() / "ran"));
            CHECK(!fs::exists(node.jobs_dir() / (id + ".run")));
        }
        SUBCASE("a log that is a symbolic link is not followed") {
            const std::string id = node.next_id();
            const fs::path log = node.jobs_dir() / (id + ".log");
            fs::create_symlink(node.jobs_dir() / "elsewhere", log);
            node.send_start(node.order(id, "echo ran > ran\n"));
            REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
            const JobReport ended = *node.report(id);
            CHECK(ended.end->outcome == JobOutcome::failed);
            CHECK(ended.end->reason.find(log.string()) != std::string::npos);
            CHECK(!fs::exists(node.jobs_dir() / "elsewhere"));
            CHECK(!fs::exists(node.jobs_dir() / "ran"));
            CHECK(!fs::exists(node.jobs_dir() / (id + ".run")));
        }
        SUBCASE("a script whose interpreter is missing fails, and says so in its log") {
            const std::string id = node.next_id();
            node.send_start(node.order(id, "#!/nonexistent/interpreter -x\necho ran\n"));
            REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
            const JobReport ended = *node.report(id);
            CHECK(ended.end->outcome == JobOutcome::failed);
            CHECK(ended.end->reason == "cannot run /nonexistent/interpreter: No such file or directory");
            CHECK(read_text(node.jobs_dir() / (id + ".log")) ==
                  "lobosq: job " + id + " failed: " + ended.end->reason + "\n");
            CHECK(!fs::exists(node.jobs_dir() / (id + ".run")));
        }
        SUBCASE("a submit directory the job cannot enter") {
            const std::string id = node.next_id();
            StartOrder order = node.order(id, "echo ran\n");
            order.spec.dir = (node.jobs_dir() / "missing").string();
            node.send_start(order);
            REQUIRE_MESSAGE(node.wait_for_state(id, RunnerState::ended), node.log());
            const JobReport ended = *node.report(id);
            CHECK(ended.end->outcome == JobOutcome::failed);
            CHECK(ended.end->reason.find(order.spec.dir) != std::string::npos);
        }
    }
}
