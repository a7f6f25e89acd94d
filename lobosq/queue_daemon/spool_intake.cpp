#include "lobosq/queue_daemon/spool_intake.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <system_error>

#include "lobosq/job/directives.hpp"
#include "lobosq/queue_daemon/directory_entries.hpp"
#include "share/formats/job_id.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/wake_up.hpp"

namespace lobos {

namespace fs = std::filesystem;

namespace {

// At most this many spool files are taken in one go, so that a flood of
// submissions does not hold the lease lock (and the lease renewal) for long.
constexpr std::size_t max_spool_batch = 256;
// Spool temporaries of a client that died.
constexpr auto stale_spool_file = std::chrono::hours(1);
// A spool file that does not read whole yet (lobosq is still writing it), or
// that has a second name, is refused only once it has stayed so this long.
constexpr auto spool_patience = std::chrono::minutes(1);

struct SpoolFile {
    uid_t owner = 0;
    std::string text;
    std::chrono::seconds age{0};
};

// A spool file and its owner, read without following links and only if it
// is a plain file with no other names (a hard link to another user's file
// would carry that user's identity).
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

bool is_nonce(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return s.front() != '.';
}

}  // namespace

SpoolIntake::Batch SpoolIntake::take(JobTime now) {
    changed_ = false;
    Batch batch;
    std::vector<fs::path> stale;
    std::error_code ec;
    for (const fs::directory_entry& entry : directory_entries(spool_, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with('.')) {
            std::error_code time_ec;
            auto written = entry.last_write_time(time_ec);
            if (!time_ec && fs::file_time_type::clock::now() - written > stale_spool_file)
                stale.push_back(entry.path());
        } else if (name.ends_with(submission_suffix)) {
            batch.submissions.push_back(entry.path());
        } else if (name.starts_with(cancel_prefix)) {
            batch.cancels.push_back(entry.path());
        } else if (name.starts_with(probe_prefix)) {
            batch.probes.push_back(entry.path());
        } else {
            refuse(entry.path(), "spool file " + name, "not a submission or a cancel request", now);
        }
    }
    if (ec) log_.limited(LogLevel::warning, "spool", "cannot read " + spool_.string() + ": " + ec.message());
    for (const fs::path& p : stale) fs::remove(p, ec);
    // In order of id, which is the order of submission for one user.
    std::sort(batch.submissions.begin(), batch.submissions.end());
    if (batch.submissions.size() > max_spool_batch) {
        batch.submissions.resize(max_spool_batch);
        // The rest in the next round; cancels wait for them, so that a job
        // submitted and cancelled at once is found.
        batch.cancels.clear();
        batch.probes.clear();
        changed_ = true;
    }
    return batch;
}

std::optional<std::string> SpoolIntake::request_nonce(const fs::path& file, std::string_view prefix,
                                                      JobTime now) {
    const std::string name = file.filename().string();
    std::string nonce = name.substr(prefix.size());
    if (is_nonce(nonce)) return nonce;
    refuse(file, "spool file " + name, "not a valid request name", now);
    return std::nullopt;
}

std::optional<SpoolSender> SpoolIntake::read_sender(const fs::path& file, const std::string& what,
                                                    JobTime now) {
    std::string error;
    std::optional<SpoolFile> spooled = read_spool_file(file, error);
    if (!spooled) {
        if (!error.empty()) refuse(file, what, error, now);
        return std::nullopt;
    }
    SpoolSender sender{spooled->owner, "uid " + std::to_string(spooled->owner), std::nullopt,
                       std::move(spooled->text), spooled->age};
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwuid_r(sender.uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found) {
        sender.user = pw.pw_name;
        sender.gid = pw.pw_gid;
    }
    return sender;
}

ScriptCheck SpoolIntake::check_script(const std::string& script, uid_t sender, const JobQueue& queue,
                                      JobTime now) const {
    ScriptCheck check;
    DirectivesRead read = read_directives(script, DirectiveContext{sender == 0, queue.cluster_cpus(), now});
    for (const DirectiveError& e : read.errors) check.directive_errors.push_back(to_string(e));
    if (!read.ok()) return check;
    // Against the whole cluster up and idle, so first-fit: a job that needs
    // every node is not refused because one is down at this moment.
    check.never_placeable = never_placeable(read.directives, queue.cpus(), place_first_fit);
    if (!check.never_placeable) check.directives = read.directives;
    return check;
}

std::optional<Job> SpoolIntake::read_submission(const fs::path& file, const std::string& id,
                                                const JobQueue& queue, JobTime now) {
    std::optional<SpoolSender> sender = read_sender(file, "job " + id, now);
    if (!sender) return std::nullopt;
    if (!sender->gid) {
        refuse(file, "job " + id, "its owner, uid " + std::to_string(sender->uid) + ", has no user name",
               now);
        return std::nullopt;
    }
    const std::string what = "job " + id + " from " + sender->user;
    if (job_id_user(id) != sender->user) {
        refuse(file, "job " + id, "the id names another user than its sender, " + sender->user, now);
        return std::nullopt;
    }
    std::string error;
    auto submission = decode_submission(sender->text, error);
    // lobosq may still be writing it: a file that does not read whole yet
    // is given time before it is refused.
    if (!submission && sender->age < spool_patience) return std::nullopt;
    if (!submission) {
        refuse(file, what, error, now);
        return std::nullopt;
    }
    ScriptCheck check = check_script(submission->script, sender->uid, queue, now);
    if (!check.directives) {
        std::string reasons;
        for (const std::string& e : check.directive_errors) reasons += (reasons.empty() ? "" : "; ") + e;
        refuse(file, what, check.never_placeable.value_or(reasons), now);
        return std::nullopt;
    }
    Job job;
    job.spec.id = id;
    job.spec.user = sender->user;
    job.spec.uid = sender->uid;
    job.spec.gid = *sender->gid;
    job.spec.dir = submission->dir;
    job.spec.script = std::move(submission->script);
    job.spec.directives = *check.directives;
    job.spec.submitted = submission->submitted;
    job.spec.environment = std::move(submission->environment);
    return job;
}

void SpoolIntake::refuse(const fs::path& file, const std::string& what, const std::string& reason,
                         JobTime now) {
    publisher_.log(now, "refused " + what + ": " + reason);
    remove(file);
}

void SpoolIntake::answer(const std::string& nonce, const CancelAnswer& answer,
                         const std::optional<WakeUpAddress>& reply_to) {
    try {
        write_file_atomically(answers_ / nonce, encode_cancel_answer(answer), 0644, Durability::unsynced);
    } catch (const std::exception& e) {
        // lobosq gives up waiting and says so; the user asks again.
        log_.limited(LogLevel::error, "answer", "cannot answer " + nonce + ": " + e.what());
        return;
    }
    if (!reply_to) return;
    if (answer_wake_ups_.take(TokenBucket::Clock::now()))
        send_wake_up(reply_to->address, reply_to->port, WakeUpKind::answer);
    else
        log_.limited(
            LogLevel::warning, "answer wake-up",
            "answers come faster than their wake-ups may go: lobosq finds " + nonce + " at its next look");
}

void SpoolIntake::remove(const fs::path& file) {
    std::error_code ignored;
    fs::remove(file, ignored);
}

}  // namespace lobos
