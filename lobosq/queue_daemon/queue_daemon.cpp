#include "lobosq/queue_daemon/queue_daemon.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <sstream>
#include <system_error>

#include "lobosq/job/directives.hpp"
#include "lobosq/job/node_orders.hpp"
#include "lobosq/job/spool_entry.hpp"
#include "lobosq/placement/healthy_cpus.hpp"
#include "lobosq/placement/topology_placement.hpp"
#include "lobosq/scheduler/probe_answer.hpp"
#include "lobosq/scheduler/queue_report.hpp"
#include "share/formats/job_id.hpp"
#include "share/formats/log_line.hpp"
#include "share/formats/node_detail.hpp"
#include "share/formats/node_status.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/user_files.hpp"

namespace lobos {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// At most this many spool files are taken in one go, so that a flood of
// submissions does not hold the lease lock (and the lease renewal) for long.
constexpr int max_spool_batch = 256;
// job_status is rewritten at most this often under load, and at least once a second.
constexpr auto min_status_interval = 100ms;
constexpr auto status_period = 1s;
// Spool temporaries of a client that died, and answers nobody collected.
constexpr auto stale_spool_file = std::chrono::hours(1);
constexpr auto stale_answer = std::chrono::minutes(10);

std::chrono::milliseconds to_ms(Seconds s) {
    return std::chrono::milliseconds(static_cast<long long>(s.count() * 1000));
}

// node_status older than this says nothing about now: pulse has stopped
// writing it. Dispatches no report has followed for this long are given up
// on by the extra-load rule too.
JobClock::duration stale_after(const ClusterConfig& config) {
    return std::max<JobClock::duration>(
        std::chrono::duration_cast<JobClock::duration>(config.pulse.master_timeout * 3), 10s);
}

void make_directory(const fs::path& dir, mode_t mode) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::system_error(ec, "cannot create " + dir.string());
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 07777) != mode && st.st_uid == ::geteuid())
        ::chmod(dir.c_str(), mode);
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string run_time(JobTime from, JobTime to) {
    long long s = std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
    if (s < 0) s = 0;
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    return text;
}

// A spool file and its owner, read without following links and only if it
// is a plain file with no other names (a hard link to another user's file
// would carry that user's identity).
struct SpoolFile {
    uid_t owner = 0;
    std::string text;
    std::chrono::seconds age{0};  // since it was last written
};

// A spool file that does not read whole yet (lobosq is still writing it), or
// that has a second name, is refused only once it has stayed so this long.
constexpr auto spool_patience = std::chrono::minutes(1);

std::optional<SpoolFile> read_spool_file(const fs::path& path, std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error = errno == ENOENT ? "" : std::string("cannot open: ") + std::strerror(errno);
        return std::nullopt;
    }
    struct stat st {};
    std::optional<SpoolFile> file;
    if (::fstat(fd, &st) != 0)
        error = std::string("cannot stat: ") + std::strerror(errno);
    else if (!S_ISREG(st.st_mode))
        error = "not a plain file";
    else if (st.st_nlink != 1) {
        const auto changed = std::chrono::seconds(st.st_ctim.tv_sec);
        const auto now = std::chrono::seconds(std::time(nullptr));
        if (now - changed > spool_patience) error = "has other names (hard links)";
    } else if (static_cast<std::size_t>(st.st_size) > max_spool_file)
        error = "larger than " + std::to_string(max_spool_file) + " bytes";
    if (error.empty() && st.st_nlink == 1) {
        const auto written = std::chrono::seconds(st.st_mtim.tv_sec);
        file = SpoolFile{st.st_uid, std::string(static_cast<std::size_t>(st.st_size), '\0'),
                         std::chrono::seconds(std::time(nullptr)) - written};
        std::size_t got = 0;
        while (got < file->text.size()) {
            ssize_t n = ::read(fd, file->text.data() + got, file->text.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        file->text.resize(got);
    }
    ::close(fd);
    return error.empty() ? file : std::nullopt;
}

std::optional<passwd> user_of(uid_t uid, std::string& name_storage, std::vector<char>& buffer) {
    passwd pw{};
    passwd* found = nullptr;
    buffer.resize(16384);
    if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) != 0 || !found) return std::nullopt;
    name_storage = pw.pw_name;
    return pw;
}

bool is_nonce(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return s.front() != '.';
}

}  // namespace

QueueDaemon::QueueDaemon(const ClusterConfig& config, const ClusterPaths& paths, const Node& self)
    : config_(config),
      paths_(paths),
      self_(self),
      store_(paths.queue_dir()),
      signals_(io_, SIGINT, SIGTERM),
      watch_(io_, [this](const std::vector<DirectoryWatch::Event>& events) { on_files(events); }),
      lease_timer_(io_),
      rescan_timer_(io_),
      status_timer_(io_),
      work_timer_(io_),
      sync_timer_(io_),
      lease_(paths.queue_lease(), self.name, to_ms(config.pulse.master_timeout)),
      started_(std::chrono::steady_clock::now()),
      graph_(config),
      fair_share_(std::chrono::duration_cast<std::chrono::seconds>(config.pulse.fair_share_half_life)) {
    // The spool is written by every user and sticky, so that users cannot
    // remove each other's files: the owner of a file there is its sender.
    make_directory(paths_.spool(), 01777);
    watch_.add(paths_.spool());
    watch_.add(paths_.root);  // node_status and node_detail.json are renamed into place here
    for (const Node& n : config_.nodes) {
        if (!n.is_compute()) continue;
        compute_nodes_.push_back(n.name);
        make_directory(paths_.node_dir(n.name), 0711);
        watch_.add(paths_.node_dir(n.name));
    }
}

void QueueDaemon::run() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        std::cerr << "lobosqd[" << self_.name << "]: stopping\n";
        if (epoch_) lease_.while_held(*epoch_, JobClock::now(), [this] { make_durable(); });
        if (epoch_) lease_.release();  // let another master's daemon take over at once
        io_.stop();
    });
    watch_.start();
    // A master of lower rank gets the first chance at the lease when all
    // start together: the others wait a heartbeat per rank above the first.
    lease_timer_.expires_after(to_ms(config_.pulse.heartbeat) * (self_.master_rank() - 1));
    lease_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_lease();
    });
    do_rescan();
    do_status();
    do_sync();
    io_.run();
}

void QueueDaemon::do_lease() {
    PrimaryLease::Claim claim = lease_.claim(JobClock::now());
    if (claim.outcome == PrimaryLease::Outcome::held) {
        if (epoch_ != claim.epoch) take_over(claim.epoch);
    } else if (claim.outcome == PrimaryLease::Outcome::taken_by_other && epoch_) {
        stand_by("the queue lease is held by " +
                 (claim.previous ? claim.previous->holder : "another master"));
    }
    // Renew at every heartbeat; a standby tries as often, so it takes over
    // within a heartbeat of the lease running out.
    lease_timer_.expires_after(to_ms(config_.pulse.heartbeat));
    lease_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_lease();
    });
}

void QueueDaemon::take_over(std::uint64_t epoch) {
    epoch_ = epoch;
    queue_.emplace(number_cpus(config_),
                   ScheduleRules{true, config_.pulse.etime_limit, config_.pulse.user_job_cap});
    load_fair_share();
    limit_told_.clear();
    last_pass_.reset();
    QueueStore::Loaded loaded = store_.load();
    for (const std::string& p : loaded.problems) std::cerr << "lobosqd[" << self_.name << "]: " << p << "\n";
    adopt_dispatched(loaded.jobs);
    after_sync_.clear();
    awaiting_.clear();
    records_written_ = false;
    int running = 0;
    for (Job& job : loaded.jobs) {
        const std::string id = job.spec.id;
        const bool is_running = job.state == JobState::running;
        if (queue_->add(std::move(job)))
            running += is_running;
        else
            std::cerr << "lobosqd[" << self_.name << "]: " << store_.live_record(id).string()
                      << ": not a waiting job nor a running one with its placement and start; left alone\n";
    }
    std::cerr << "lobosqd[" << self_.name << "]: acting for the queue (epoch " << epoch
              << "): " << queue_->size() << " jobs, " << running << " running\n";
    // Everything may have changed while no daemon acted.
    spool_dirty_ = node_status_dirty_ = node_detail_dirty_ = status_dirty_ = true;
    nodes_dirty_.insert(compute_nodes_.begin(), compute_nodes_.end());
    up_nodes_.reset();
    node_status_.reset();
    snapshot_dirty_ = true;
    resend_start_orders_ = true;
    schedule_work();
}

void QueueDaemon::stand_by(const std::string& why) {
    std::cerr << "lobosqd[" << self_.name << "]: standing by: " << why << "\n";
    epoch_.reset();
    queue_.reset();
    // What waited for a sync is done by whoever acts next, from the files.
    after_sync_.clear();
    awaiting_.clear();
}

void QueueDaemon::adopt_dispatched(std::vector<Job>& jobs) {
    std::map<std::string, Job*> waiting;
    for (Job& job : jobs)
        if (job.state == JobState::waiting) waiting[job.spec.id] = &job;
    if (waiting.empty()) return;
    for (const std::string& node : compute_nodes_) {
        std::error_code ec;
        for (const fs::directory_entry& entry : fs::directory_iterator(paths_.node_dir(node), ec)) {
            const std::string name = entry.path().filename().string();
            if (!ends_with(name, start_suffix)) continue;
            auto it = waiting.find(name.substr(0, name.size() - start_suffix.size()));
            if (it == waiting.end()) continue;
            std::string error;
            std::optional<StartOrder> order;
            try {
                if (auto text = read_file_if_exists(entry.path())) order = decode_start_order(*text, error);
            } catch (const std::exception& e) {
                error = e.what();
            }
            if (!order) continue;
            Job& job = *it->second;
            job.state = JobState::running;
            job.placement = order->placement;
            job.started = order->dispatched;
            std::cerr << "lobosqd[" << self_.name << "]: " << job.spec.id << " was already handed to " << node
                      << "; running\n";
        }
    }
}

void QueueDaemon::on_files(const std::vector<DirectoryWatch::Event>& events) {
    for (const DirectoryWatch::Event& e : events) {
        if (e.directory.empty() || (e.mask & IN_Q_OVERFLOW)) {
            spool_dirty_ = node_status_dirty_ = node_detail_dirty_ = true;
            nodes_dirty_.insert(compute_nodes_.begin(), compute_nodes_.end());
        } else if (e.directory == paths_.spool()) {
            spool_dirty_ = true;  // also when a temporary goes: a linked submission is ready
        } else if (e.directory == paths_.root) {
            if (e.name == paths_.node_status().filename()) node_status_dirty_ = true;
            if (e.name == paths_.node_detail().filename()) node_detail_dirty_ = true;
        } else {
            if (ends_with(e.name, state_suffix)) nodes_dirty_.insert(e.directory.filename().string());
        }
    }
    if (spool_dirty_ || node_status_dirty_ || node_detail_dirty_ || !nodes_dirty_.empty()) schedule_work();
}

void QueueDaemon::do_rescan() {
    // inotify does not see files written by other machines (NFS): look at
    // everything once a second anyway.
    spool_dirty_ = node_status_dirty_ = node_detail_dirty_ = true;
    nodes_dirty_.insert(compute_nodes_.begin(), compute_nodes_.end());
    schedule_work();
    rescan_timer_.expires_after(1s);
    rescan_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_rescan();
    });
}

void QueueDaemon::do_status() {
    status_dirty_ = true;  // Act Time moves on
    schedule_work();
    status_timer_.expires_after(status_period);
    status_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_status();
    });
}

void QueueDaemon::schedule_work(std::chrono::milliseconds delay) {
    // A later round already planned (a status write held back) must not
    // delay news that wants an answer now: the earlier moment wins.
    const auto due = std::chrono::steady_clock::now() + delay;
    if (work_scheduled_ && work_due_ <= due) return;
    work_scheduled_ = true;
    work_due_ = due;
    work_timer_.expires_at(due);  // cancels a later wait
    work_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // replaced by an earlier one
        work_scheduled_ = false;
        work();
    });
}

void QueueDaemon::work() {
    if (!epoch_) return;
    bool more = false;
    const bool held = lease_.while_held(*epoch_, JobClock::now(), [&] {
        const JobTime now = JobClock::now();
        if (resend_start_orders_) resend_start_orders(now);
        if (node_status_dirty_ && read_node_status(now)) fail_jobs_on_down_nodes(now);
        if (node_detail_dirty_) read_node_detail();
        if (spool_dirty_) take_spool(now);
        more = spool_dirty_;  // take_spool leaves it set when it stopped at the batch limit
        for (const std::string& node : std::exchange(nodes_dirty_, {})) read_node_reports(node, now);
        dispatch(now);
        if (fair_share_dirty_) save_fair_share();
        if (sync_due_) make_durable();
        const auto since = std::chrono::steady_clock::now() - last_status_write_;
        if (status_dirty_ && since >= min_status_interval)
            write_status(now);
        else if (status_dirty_)
            more = true;
    });
    if (!held) {
        // The lock is busy (the other master's daemon is claiming) or the
        // lease is gone: the lease timer finds out which; try again shortly.
        schedule_work(10ms);
        return;
    }
    if (more) schedule_work(std::chrono::duration_cast<std::chrono::milliseconds>(min_status_interval));
}

bool QueueDaemon::read_node_status(JobTime now) {
    node_status_dirty_ = false;
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(paths_.node_status());
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << self_.name << "]: " << e.what() << "\n";
    }
    std::optional<std::set<std::string>> up;
    std::optional<NodeStatus> fresh;
    if (text) {
        NodeStatus status = parse_node_status(*text, now).status;
        // node_status that pulse has stopped writing says nothing about now:
        // no job is started on it, and none is failed by it.
        if (now - status.written < stale_after(config_)) {
            up.emplace();
            for (const NodeState& n : status.nodes)
                if (n.up) up->insert(n.name);
            fresh = std::move(status);
        }
    }
    // Links and hubs count for placement as well as nodes: a new snapshot
    // whenever node_status is read (about once a second), not every round.
    node_status_ = std::move(fresh);
    snapshot_dirty_ = true;
    if (up == up_nodes_) return false;
    up_nodes_ = std::move(up);
    status_dirty_ = true;
    return up_nodes_.has_value();
}

void QueueDaemon::take_spool(JobTime now) {
    spool_dirty_ = false;
    std::vector<fs::path> submissions, cancels, probes, stale;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(paths_.spool(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with('.')) {
            std::error_code time_ec;
            auto written = entry.last_write_time(time_ec);
            if (!time_ec && fs::file_time_type::clock::now() - written > stale_spool_file)
                stale.push_back(entry.path());
        } else if (ends_with(name, submission_suffix)) {
            submissions.push_back(entry.path());
        } else if (name.starts_with(cancel_prefix)) {
            cancels.push_back(entry.path());
        } else if (name.starts_with(probe_prefix)) {
            probes.push_back(entry.path());
        } else {
            refuse(entry.path(), "spool file " + name, "not a submission or a cancel request", now);
        }
    }
    if (ec)
        std::cerr << "lobosqd[" << self_.name << "]: cannot read " << paths_.spool() << ": " << ec.message()
                  << "\n";
    for (const fs::path& p : stale) fs::remove(p, ec);
    // In order of id, which is the order of submission for one user.
    std::sort(submissions.begin(), submissions.end());
    int taken = 0;
    for (const fs::path& p : submissions) {
        if (taken++ == max_spool_batch) {
            spool_dirty_ = true;  // the rest in the next round
            return;
        }
        accept_submission(p, now);
    }
    // Cancels after submissions, so that a job submitted and cancelled at
    // once is found.
    for (const fs::path& p : cancels) answer_cancel(p, now);
    for (const fs::path& p : probes) answer_probe(p, now);
}

void QueueDaemon::refuse(const fs::path& file, const std::string& what, const std::string& reason,
                         JobTime now) {
    log(now, "refused " + what + ": " + reason);
    std::error_code ec;
    fs::remove(file, ec);
}

void QueueDaemon::accept_submission(const fs::path& file, JobTime now) {
    const std::string name = file.filename().string();
    const std::string id = name.substr(0, name.size() - submission_suffix.size());
    if (!is_job_id(id)) return refuse(file, "spool file " + name, "not named after a job id", now);
    std::error_code ec;
    if (store_.known(id)) {
        // Accepted before: the file goes once the record is surely durable.
        if (!awaiting("spool " + name)) {
            records_written_ = true;
            once_durable("spool " + name, [file] {
                std::error_code ignored;
                fs::remove(file, ignored);
            });
        }
        return;
    }
    std::string error;
    auto spooled = read_spool_file(file, error);
    if (!spooled) {
        if (!error.empty()) refuse(file, "job " + id, error, now);
        return;
    }
    std::string user;
    std::vector<char> buffer;
    auto pw = user_of(spooled->owner, user, buffer);
    if (!pw)
        return refuse(file, "job " + id,
                      "its owner, uid " + std::to_string(spooled->owner) + ", has no user name", now);
    if (job_id_user(id) != user)
        return refuse(file, "job " + id, "the id names another user than its sender, " + user, now);
    auto submission = decode_submission(spooled->text, error);
    // lobosq may still be writing it: a file that does not read whole yet
    // is given time before it is refused.
    if (!submission && spooled->age < spool_patience) return;
    if (!submission) return refuse(file, "job " + id + " from " + user, error, now);

    DirectivesRead read = read_directives(submission->script,
                                          DirectiveContext{spooled->owner == 0, queue_->cluster_cpus(), now});
    if (!read.ok()) {
        std::string reasons;
        for (const DirectiveError& e : read.errors) reasons += (reasons.empty() ? "" : "; ") + to_string(e);
        return refuse(file, "job " + id + " from " + user, reasons, now);
    }
    // Against the whole cluster up and idle, so first-fit: a job that needs
    // every node is not refused because one is down at this moment.
    if (auto why = never_placeable(read.directives, queue_->cpus(), place_first_fit))
        return refuse(file, "job " + id + " from " + user, *why, now);

    Job job;
    job.spec.id = id;
    job.spec.user = user;
    job.spec.uid = spooled->owner;
    job.spec.gid = pw->pw_gid;
    job.spec.dir = submission->dir;
    job.spec.script = std::move(submission->script);
    job.spec.directives = read.directives;
    job.spec.submitted = submission->submitted;
    job.spec.environment = std::move(submission->environment);
    try {
        store_.save(job);
        records_written_ = true;
    } catch (const std::exception& e) {
        // Left in the spool: taken again when the queue directory can be written.
        std::cerr << "lobosqd[" << self_.name << "]: cannot record " << id << ": " << e.what() << "\n";
        return;
    }
    const JobDirectives& d = job.spec.directives;
    const std::string line =
        id + " submitted by " + user + " (uid " + std::to_string(job.spec.uid) + "): " +
        (d.nprocs_low == d.nprocs_high ? std::to_string(d.nprocs_low)
                                       : std::to_string(d.nprocs_low) + "-" + std::to_string(d.nprocs_high)) +
        " CPUs, TPIP " + std::to_string(d.tpip) + ", ETIME " + std::to_string(d.etime_minutes) +
        (d.admin ? ", ADMIN" : "") + ", in " + job.spec.dir;
    queue_->add(std::move(job));
    log(now, line);
    // The client synced the spool file: it stays until the record is durable.
    once_durable("spool " + name, [file] {
        std::error_code ignored;
        fs::remove(file, ignored);
    });
    status_dirty_ = true;
}

void QueueDaemon::answer_probe(const fs::path& file, JobTime now) {
    const std::string name = file.filename().string();
    const std::string nonce = name.substr(probe_prefix.size());
    if (!is_nonce(nonce)) return refuse(file, "spool file " + name, "not a valid request name", now);
    std::string error;
    auto spooled = read_spool_file(file, error);
    if (!spooled) {
        if (!error.empty()) refuse(file, "test-only request " + nonce, error, now);
        return;
    }
    std::string user;
    std::vector<char> buffer;
    const std::optional<passwd> pw = user_of(spooled->owner, user, buffer);
    if (!pw) user = "uid " + std::to_string(spooled->owner);
    CancelAnswer answer;
    auto request = decode_probe_request(spooled->text, error);
    if (!request) {
        answer.message = "the request could not be read: " + error;
    } else if (!up_nodes_) {
        answer.message =
            "node_status is not fresh, so no one knows which nodes are up: nothing can be planned now";
    } else {
        DirectivesRead read = read_directives(
            request->script, DirectiveContext{spooled->owner == 0, queue_->cluster_cpus(), now});
        if (!read.ok()) {
            answer.message = "the job would be refused:";
            for (const DirectiveError& e : read.errors) answer.message += "\n  " + to_string(e);
        } else if (auto why = never_placeable(read.directives, queue_->cpus(), place_first_fit)) {
            answer.message = "the job would be refused: " + *why;
        } else {
            Job probe;
            probe.spec.id = user + ".test-only";
            probe.spec.user = user;
            probe.spec.uid = spooled->owner;
            probe.spec.gid = pw ? pw->pw_gid : 0;
            probe.spec.directives = read.directives;
            probe.spec.submitted = now;
            JobQueue trial = *queue_;
            trial.add(probe);
            const SchedulePass pass =
                trial.plan(now, view_, placement(now), fair_share_.order_for(trial, now));
            answer = CancelAnswer{true, describe_probe(pass, probe.spec.id, now)};
        }
    }
    try {
        write_file_atomically(store_.answers_dir() / nonce, encode_cancel_answer(answer), 0644,
                              Durability::unsynced);
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << self_.name << "]: cannot answer " << nonce << ": " << e.what() << "\n";
    }
    std::error_code ignored;
    fs::remove(file, ignored);  // nothing was recorded from it: no need to wait for a sync
}

void QueueDaemon::answer_cancel(const fs::path& file, JobTime now) {
    const std::string name = file.filename().string();
    const std::string nonce = name.substr(cancel_prefix.size());
    if (!is_nonce(nonce)) return refuse(file, "spool file " + name, "not a valid request name", now);
    if (awaiting("spool " + name)) return;  // answered; the file goes at the next sync
    std::string error;
    auto spooled = read_spool_file(file, error);
    if (!spooled) {
        if (!error.empty()) refuse(file, "cancel request " + nonce, error, now);
        return;
    }
    std::string user;
    std::vector<char> buffer;
    if (!user_of(spooled->owner, user, buffer)) user = "uid " + std::to_string(spooled->owner);
    auto request = decode_cancel_request(spooled->text, error);

    CancelAnswer answer;
    if (!request) {
        answer.message = "the request could not be read: " + error;
    } else if (const Job* job = queue_->find(request->job); !job) {
        answer.message = store_.known(request->job) ? "job " + request->job + " has already ended"
                                                    : "there is no job " + request->job;
    } else if (spooled->owner != 0 && spooled->owner != job->spec.uid) {
        answer.message = "job " + job->spec.id + " belongs to " + job->spec.user + "; only " +
                         job->spec.user + " or root may cancel it";
        log(now,
            "refused to cancel " + job->spec.id + " for " + user + ": the job belongs to " + job->spec.user);
    } else if (job->state == JobState::waiting) {
        const std::string id = job->spec.id;
        end_job(id, JobEnd{JobOutcome::cancelled, 0, 0, "cancelled by " + user + " while waiting", now}, now);
        answer = {true, "cancelled " + id + " (it had not started)"};
    } else {
        const std::string node0 = job->placement->node0();
        const fs::path order = paths_.node_dir(node0) / (job->spec.id + std::string(cancel_suffix));
        try {
            write_file_atomically(order, encode_cancel_order(CancelOrder{"cancelled by " + user}), 0644,
                                  Durability::unsynced);
            log(now, job->spec.id + " cancel requested by " + user + ": SIGTERM on " + node0 +
                         ", SIGKILL after " +
                         std::to_string(config_.pulse.cancel_grace.count()).substr(0, 4) + " s");
            answer = {true, "cancelling " + job->spec.id + " on " + node0};
        } catch (const std::exception& e) {
            answer.message = std::string("cannot pass the cancel on to ") + node0 + ": " + e.what();
        }
    }
    try {
        write_file_atomically(store_.answers_dir() / nonce, encode_cancel_answer(answer), 0644,
                              Durability::unsynced);
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << self_.name << "]: cannot answer " << nonce << ": " << e.what() << "\n";
    }
    once_durable("spool " + name, [file] {
        std::error_code ignored;
        fs::remove(file, ignored);
    });
}

void QueueDaemon::read_node_reports(const std::string& node, JobTime now) {
    std::error_code ec;
    const fs::path dir = paths_.node_dir(node);
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (!ends_with(name, state_suffix)) continue;
        const std::string id = name.substr(0, name.size() - state_suffix.size());
        if (!is_job_id(id) || awaiting("node " + id)) continue;
        const Job* job = queue_->find(id);
        std::string error;
        std::optional<JobReport> report;
        try {
            if (auto text = read_file_if_exists(entry.path())) report = decode_job_report(*text, error);
        } catch (const std::exception& e) {
            error = e.what();
        }
        if (!report) {
            if (!error.empty())
                std::cerr << "lobosqd[" << self_.name << "]: " << entry.path().string() << ": " << error
                          << "\n";
            continue;
        }
        if (report->state != RunnerState::ended) continue;
        if (job && job->state == JobState::running && job->placement && job->placement->node0() == node) {
            JobEnd end =
                report->end.value_or(JobEnd{JobOutcome::failed, 0, 0, "the runner gave no exit status", now});
            end_job(id, end, now);
        } else {
            // A job this queue has already ended (failed when its node went
            // down, say) that the node has now ended too: forget its files.
            for (std::string_view suffix : {start_suffix, cancel_suffix, state_suffix})
                fs::remove(dir / (id + std::string(suffix)), ec);
        }
    }
}

void QueueDaemon::resend_start_orders(JobTime now) {
    resend_start_orders_ = false;
    // A daemon killed between recording a dispatch and handing the job to its
    // node left a running job that no runner knows of. The runner starts a
    // job only if it has no report of it, so sending again is safe.
    for (const Job* job : queue_->in_order()) {
        if (job->state != JobState::running || !job->placement) continue;
        const fs::path dir = paths_.node_dir(job->placement->node0());
        std::error_code ec;
        if (fs::exists(dir / (job->spec.id + std::string(start_suffix)), ec) ||
            fs::exists(dir / (job->spec.id + std::string(state_suffix)), ec))
            continue;
        try {
            write_file_atomically(
                dir / (job->spec.id + std::string(start_suffix)),
                encode_start_order(StartOrder{job->spec, *job->placement, config_.pulse.cancel_grace.count(),
                                              *job->started}),
                0600, Durability::unsynced);
            log(now, job->spec.id + " handed to " + job->placement->node0() +
                         " again after a restart of the queue daemon");
        } catch (const std::exception& e) {
            std::cerr << "lobosqd[" << self_.name << "]: " << e.what() << "\n";
        }
    }
}

void QueueDaemon::fail_jobs_on_down_nodes(JobTime now) {
    for (const std::string& node : compute_nodes_) {
        if (up_nodes_->count(node)) continue;
        for (const std::string& id : queue_->running_on(node)) {
            const Job* job = queue_->find(id);
            const std::string node0 = job->placement->node0();
            // If the node comes back with the job still running, its runner ends it.
            try {
                write_file_atomically(paths_.node_dir(node0) / (id + std::string(cancel_suffix)),
                                      encode_cancel_order(CancelOrder{node + " went down"}), 0644,
                                      Durability::unsynced);
            } catch (const std::exception& e) {
                std::cerr << "lobosqd[" << self_.name << "]: " << e.what() << "\n";
            }
            const std::string reason = "node " + node + " went down (node_status)";
            tell_owner(*job, "lobosq: job " + id + " failed: " + reason + "\n");
            end_job(id, JobEnd{JobOutcome::failed, 0, 0, reason, now}, now);
        }
    }
}

void QueueDaemon::tell_owner(const Job& job, const std::string& text) {
    const fs::path dir = job.spec.dir;
    std::string error = append_as_user(dir / (job.spec.id + ".log"), text, job.spec.uid, job.spec.gid);
    if (!error.empty()) std::cerr << "lobosqd[" << self_.name << "]: " << error << "\n";
    error = remove_as_user(dir / (job.spec.id + ".run"), job.spec.uid, job.spec.gid);
    if (!error.empty()) std::cerr << "lobosqd[" << self_.name << "]: " << error << "\n";
}

void QueueDaemon::end_job(const std::string& id, const JobEnd& end, JobTime now) {
    std::optional<Job> job = queue_->finish(id, end);
    if (!job) return;
    try {
        store_.retire(*job);
        records_written_ = true;
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << self_.name << "]: cannot record the end of " << id << ": " << e.what()
                  << "\n";
    }
    std::string text = id + " ended: " + describe(end);
    if (job->started) text += " after " + run_time(*job->started, end.at);
    limit_told_.erase(id);
    if (job->started && job->placement) {
        const double seconds = std::max(0.0, std::chrono::duration<double>(end.at - *job->started).count());
        fair_share_.charge(job->spec.gid, job->spec.uid,
                           seconds * static_cast<double>(job->placement->cpus.size()), end.at);
        fair_share_dirty_ = true;
    }
    log(now, text);
    if (job->placement) {
        // Only once the end is durable may the runner's files go: a daemon
        // that restarted and found the job running with no report would
        // start it again. The start order first (so no runner starts it after
        // this), then its report. A cancel order for a node that is down
        // stays, for when it comes back.
        const fs::path dir = paths_.node_dir(job->placement->node0());
        const bool keep_cancel = end.outcome == JobOutcome::failed;
        once_durable("node " + id, [dir, id, keep_cancel] {
            std::error_code ec;
            fs::remove(dir / (id + std::string(start_suffix)), ec);
            if (keep_cancel) return;
            fs::remove(dir / (id + std::string(cancel_suffix)), ec);
            fs::remove(dir / (id + std::string(state_suffix)), ec);
        });
    }
    status_dirty_ = true;
}

void QueueDaemon::once_durable(const std::string& key, std::function<void()> action) {
    if (!awaiting_.insert(key).second) return;
    after_sync_.push_back([this, key, action = std::move(action)] {
        action();
        awaiting_.erase(key);
    });
}

void QueueDaemon::do_sync() {
    sync_due_ = true;
    schedule_work();
    sync_timer_.expires_after(1s);
    sync_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) do_sync();
    });
}

void QueueDaemon::make_durable() {
    sync_due_ = false;
    if (!records_written_ && after_sync_.empty()) return;
    try {
        store_.sync();
    } catch (const std::exception& e) {
        // Nothing that depends on the records is done; the next sync tries again.
        std::cerr << "lobosqd[" << self_.name << "]: " << e.what() << "\n";
        return;
    }
    records_written_ = false;
    for (auto& action : std::exchange(after_sync_, {})) action();
}

void QueueDaemon::read_node_detail() {
    node_detail_dirty_ = false;
    // The rescan asks every second; a file of 12 MB at 10,000 nodes is
    // parsed again only when pulse has replaced it (a new inode each time).
    struct stat st {};
    const bool exists = ::stat(paths_.node_detail().c_str(), &st) == 0;
    const std::pair<ino_t, std::int64_t> version{
        exists ? st.st_ino : 0, exists ? st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec : 0};
    if (exists && version == detail_version_) return;
    detail_version_ = version;
    std::optional<NodeDetailFile> file;
    std::string problem;
    try {
        if (auto text = read_file_if_exists(paths_.node_detail())) {
            NodeDetailRead read = parse_node_detail(*text);
            file = std::move(read.detail);
            problem = read.error;
        } else {
            problem = "missing";
        }
    } catch (const std::exception& e) {
        problem = e.what();
    }
    if (file) {
        if (told_no_detail_)
            std::cerr << "lobosqd[" << self_.name << "]: " << paths_.node_detail().string()
                      << " read again: placing with the nodes' load, disks and online CPUs\n";
        told_no_detail_ = false;
        node_details_ = std::move(file->nodes);
    } else {
        // Placement goes on from node_status alone rather than stopping:
        // node_status, not this file, says which nodes live.
        if (!told_no_detail_)
            std::cerr << "lobosqd[" << self_.name << "]: " << paths_.node_detail().string() << ": " << problem
                      << ": placing without the nodes' load, disks and online CPUs (every CPU online, load "
                         "0, no disk under DiskFloor) until it can be read\n";
        told_no_detail_ = true;
        node_details_.reset();
    }
    snapshot_dirty_ = true;
}

const PlacementPolicy& QueueDaemon::placement(JobTime now) {
    if (!snapshot_dirty_ && place_) return place_;
    snapshot_dirty_ = false;
    // Without fresh node_status every node counts as down (nothing listed).
    static const NodeStatus nothing_known;
    static const std::vector<NodeDetail> no_details;
    forget_counted_dispatches(recent_dispatches_, node_details_ ? *node_details_ : no_details,
                              now - stale_after(config_));
    // No held CPUs in the snapshot: the queue's CpuAvailability says which
    // CPUs jobs hold, at every placement, including the jobs of this round.
    auto snapshot = std::make_shared<const ClusterSnapshot>(
        build_cluster_snapshot(SnapshotInput{&config_,
                                             &graph_,
                                             node_status_ ? &*node_status_ : &nothing_known,
                                             node_details_ ? &*node_details_ : nullptr,
                                             &recent_dispatches_,
                                             {}}));
    const HealthyCpus healthy = healthy_cpus(*snapshot, config_.pulse.disk_floor);
    view_ = ClusterView{up_nodes_.value_or(std::set<std::string>{}), healthy.usable,
                        describe_faults(*snapshot, healthy)};
    place_ = topology_aware_policy(std::move(snapshot), config_.pulse.disk_floor);
    return place_;
}

void QueueDaemon::dispatch(JobTime now) {
    if (!up_nodes_) {
        last_pass_.reset();
        return;  // no fresh node_status: no one knows which nodes are up
    }
    end_overrunning_jobs(now);
    const PlacementPolicy& place = placement(now);
    last_pass_ = queue_->schedule(now, view_, place, fair_share_.order_for(*queue_, now));
    for (const std::string& id : last_pass_->started) {
        const Job& job = *queue_->find(id);
        try {
            store_.save(job);
            records_written_ = true;
        } catch (const std::exception& e) {
            // Not recorded, so not started: it waits again.
            std::cerr << "lobosqd[" << self_.name << "]: cannot record the dispatch of " << id << ": "
                      << e.what() << "\n";
            Job back = *queue_->finish(id, JobEnd{});
            back.state = JobState::waiting;
            back.placement.reset();
            back.started.reset();
            back.end.reset();
            queue_->add(std::move(back));
            continue;
        }
        // Its nodes count the extra load until their reports show the job.
        for (const std::string& n : job.placement->distinct_nodes())
            recent_dispatches_.push_back(RecentDispatch{
                n, static_cast<int>(std::count(job.placement->nodes.begin(), job.placement->nodes.end(), n)),
                now});
        snapshot_dirty_ = true;
        std::string nodes;
        for (const std::string& n : job.placement->distinct_nodes()) nodes += (nodes.empty() ? "" : " ") + n;
        const std::string line =
            id + " dispatched to cpus " + format_cpu_list(job.placement->cpus) + " (" + nodes + ")";
        log(now, line);
        try {
            // Not synced: a daemon that restarts sends it again if it is lost,
            // and adopts the job if it finds it here with no durable dispatch.
            write_file_atomically(paths_.node_dir(job.placement->node0()) / (id + std::string(start_suffix)),
                                  encode_start_order(StartOrder{job.spec, *job.placement,
                                                                config_.pulse.cancel_grace.count(), now}),
                                  0600, Durability::unsynced);
        } catch (const std::exception& e) {
            const std::string node0 = job.placement->node0();
            tell_owner(job,
                       "lobosq: job " + id + " failed: cannot hand it to " + node0 + ": " + e.what() + "\n");
            end_job(
                id,
                JobEnd{JobOutcome::failed, 0, 0, std::string("cannot hand it to its node: ") + e.what(), now},
                now);
        }
        status_dirty_ = true;
    }
}

void QueueDaemon::write_status(JobTime now) {
    status_dirty_ = false;
    last_status_write_ = std::chrono::steady_clock::now();
    static const std::vector<WaitingEstimate> no_plan;
    QueueReport report =
        report_queue(*queue_, now, queue_->free_cpus(up_nodes_.value_or(std::set<std::string>{})),
                     last_pass_ ? last_pass_->waiting : no_plan, self_.name);
    try {
        // Rebuilt every second from the records: readers need them whole, not synced.
        write_file_atomically(paths_.job_status(), format_job_status(report.status), 0644,
                              Durability::unsynced);
        write_file_atomically(paths_.job_detail(), format_job_detail(report.detail), 0644,
                              Durability::unsynced);
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << self_.name << "]: " << e.what() << "\n";
    }
    // Answers nobody collected.
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(store_.answers_dir(), ec)) {
        std::error_code time_ec;
        auto written = entry.last_write_time(time_ec);
        if (!time_ec && fs::file_time_type::clock::now() - written > stale_answer)
            fs::remove(entry.path(), time_ec);
    }
}

void QueueDaemon::log(JobTime at, const std::string& text) {
    // One write() per line on an O_APPEND descriptor: lines from two writers
    // (an old primary's last words) never interleave within a line.
    const std::string line = log_line(at, text) + "\n";
    int fd = ::open(paths_.job_log().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        std::cerr << "lobosqd[" << self_.name << "]: cannot append to " << paths_.job_log() << ": "
                  << std::strerror(errno) << "\n";
    if (fd >= 0) ::close(fd);
}

void QueueDaemon::end_overrunning_jobs(JobTime now) {
    for (const std::string& id : queue_->over_limit(now)) {
        if (!limit_told_.insert(id).second) continue;  // told once; the runner reports the end
        const Job& job = *queue_->find(id);
        const std::string node0 = job.placement->node0();
        std::ostringstream limit;
        limit << config_.pulse.etime_limit;
        const std::string reason = "ran past its limit: ETIME " +
                                   std::to_string(job.spec.directives.etime_minutes) + " min x EtimeLimit " +
                                   limit.str();
        try {
            write_file_atomically(paths_.node_dir(node0) / (id + std::string(cancel_suffix)),
                                  encode_cancel_order(CancelOrder{reason}), 0644, Durability::unsynced);
            log(now, id + " " + reason + ": SIGTERM on " + node0);
        } catch (const std::exception& e) {
            limit_told_.erase(id);  // tried again at the next pass
            std::cerr << "lobosqd[" << self_.name << "]: cannot end " << id << " (" << reason
                      << "): " << e.what() << "\n";
        }
    }
}

void QueueDaemon::load_fair_share() {
    fair_share_ =
        FairShare(std::chrono::duration_cast<std::chrono::seconds>(config_.pulse.fair_share_half_life));
    const fs::path file = paths_.queue_dir() / "fair_share.json";
    try {
        std::optional<std::string> text = read_file_if_exists(file);
        if (!text) return;
        std::string error;
        if (auto loaded = FairShare::decode(*text, fair_share_.half_life(), error))
            fair_share_ = std::move(*loaded);
        else
            std::cerr << "lobosqd[" << self_.name << "]: " << file.string() << ": " << error
                      << ": fair share starts again from no use\n";
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << self_.name << "]: " << e.what()
                  << ": fair share starts again from no use\n";
    }
}

void QueueDaemon::save_fair_share() {
    fair_share_dirty_ = false;
    try {
        // Synced with the records, once a second (make_durable): losing the
        // last second of charges to a crash only makes fair share a little kinder.
        write_file_atomically(paths_.queue_dir() / "fair_share.json", fair_share_.encode(), 0600,
                              Durability::unsynced);
        records_written_ = true;
    } catch (const std::exception& e) {
        std::cerr << "lobosqd[" << self_.name << "]: cannot save fair share: " << e.what() << "\n";
    }
}

}  // namespace lobos
