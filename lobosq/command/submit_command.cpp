#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>

#include "lobosq/command/commands.hpp"
#include "lobosq/command/untaken_id.hpp"
#include "lobosq/job/directives.hpp"
#include "lobosq/job/script_text.hpp"
#include "lobosq/job/spool_entry.hpp"
#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/job_id.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/wake_up.hpp"

extern char** environ;

namespace lobos {

namespace fs = std::filesystem;

namespace {

// Ids are tried one second apart from now on; this many seconds ahead the
// user has clearly submitted a flood and is told so.
constexpr int max_id_tries = 3600;

std::string read_script(std::istream& in, std::ostream& out) {
    if (&in == &std::cin && ::isatty(STDIN_FILENO)) {
        std::string script, line;
        for (;;) {
            out << "lobosq> " << std::flush;
            if (!std::getline(std::cin, line)) break;
            script += line + "\n";
        }
        out << "\n";
        return script;
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::map<std::string, std::string> environment() {
    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        auto eq = entry.find('=');
        if (eq != std::string_view::npos && eq > 0) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    return env;
}

// Writes `text` to a new file at `path` (synced when `sync`); false with
// errno set if the file exists or cannot be written (nothing is left behind
// then).
bool create_exclusive(const fs::path& path, std::string_view text, mode_t mode, bool sync) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return false;
    const bool ok = write_whole(fd, text) && (!sync || ::fsync(fd) == 0);
    const int saved = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        errno = saved;
    }
    return ok;
}

// Whether job id `id` is taken: its file in the submit directory, or a
// record of the queue, live or ended. Anything in the file's place counts,
// a dangling link included (creating the file would fail).
bool id_taken(const fs::path& dir, const ClusterPaths& paths, const std::string& id) {
    struct stat st {};
    for (const fs::path& path :
         {dir / id, paths.queue_dir() / (id + ".json"), paths.queue_dir() / "ended" / (id + ".json")})
        if (::lstat(path.c_str(), &st) == 0 || errno != ENOENT) return true;
    return false;
}

}  // namespace

int submit_job(const ClusterConfig& config, const ClusterPaths& paths, std::istream& in, std::ostream& out,
               std::ostream& err) {
    const std::string script = read_script(in, out);
    if (auto problem = check_script_text(script)) {
        err << "lobosq: job refused: "
            << (problem->line ? "line " + std::to_string(problem->line) + ": " : "") << problem->reason
            << "\n";
        return exit_refused;
    }
    const JobTime now = JobClock::now();
    DirectivesRead read =
        read_directives(script, DirectiveContext{::getuid() == 0, config.compute_cpus(), now});
    if (!read.ok()) {
        err << "lobosq: job refused:\n";
        for (const DirectiveError& e : read.errors) err << "  " << to_string(e) << "\n";
        return exit_refused;
    }
    if (auto why = never_placeable(read.directives, number_cpus(config), place_first_fit)) {
        err << "lobosq: job refused: " << *why << "\n";
        return exit_refused;
    }

    const passwd* pw = ::getpwuid(::getuid());
    if (!pw) {
        err << "lobosq: uid " << ::getuid() << " has no user name; a job id needs one\n";
        return exit_failure;
    }
    const std::string user = pw->pw_name;
    std::error_code ec;
    const fs::path dir = fs::current_path(ec);
    if (ec) {
        err << "lobosq: cannot tell the current directory: " << ec.message() << "\n";
        return exit_failure;
    }
    if (!fs::is_directory(paths.spool(), ec)) {
        err << "lobosq: " << paths.spool().string()
            << " does not exist: no queue daemon has run on this cluster root yet (lobosqd creates it)\n";
        return exit_failure;
    }
    const std::string spooled = encode_submission(Submission{dir.string(), script, environment(), now});

    // From the first id that looked free on; a submission racing for the
    // same one finds it taken when it creates the file, and tries the next.
    const int first = first_untaken_second(max_id_tries, [&](int seconds) {
        return id_taken(dir, paths, make_job_id(user, now + std::chrono::seconds(seconds)));
    });
    for (int tries = first; tries < max_id_tries; ++tries) {
        const std::string id = make_job_id(user, now + std::chrono::seconds(tries));
        // The id file in the current directory first: that claims the id here.
        const fs::path id_file = dir / id;
        // The user's copy of the script; the queue's copy is the one synced.
        if (!create_exclusive(id_file, script, 0644, false)) {
            if (errno == EEXIST) continue;
            err << "lobosq: cannot create " << id_file.string() << ": " << std::strerror(errno) << "\n";
            return exit_failure;
        }
        // Then in the spool, where a link succeeds for one submission only,
        // and against the queue's records of ids already taken.
        const fs::path queued = paths.queue_dir() / (id + ".json");
        const fs::path ended = paths.queue_dir() / "ended" / (id + ".json");
        if (fs::exists(queued, ec) || fs::exists(ended, ec)) {
            ::unlink(id_file.c_str());
            continue;
        }
        // The submission is written straight under its final name: O_EXCL
        // makes it this submission's alone, and one fsync makes the file and
        // its name durable (a new file's entry is committed with it). The
        // daemon takes a file only once it reads as a whole JSON object, and
        // no prefix of one does.
        const fs::path target = paths.spool() / (id + std::string(submission_suffix));
        if (!create_exclusive(target, spooled, 0600, true)) {
            const int saved = errno;
            ::unlink(id_file.c_str());
            if (saved == EEXIST) continue;
            err << "lobosq: cannot write " << target.string() << ": " << std::strerror(saved) << "\n";
            return exit_failure;
        }
        // The acting daemon may run on another host, whose inotify does not
        // see this file: tell every master to look now.
        wake_up_masters(config, WakeUpKind::spool);
        out << id << "\n";
        return exit_ok;
    }
    err << "lobosq: every id from " << make_job_id(user, now)
        << " on for an hour is taken: too many submissions\n";
    return exit_failure;
}

}  // namespace lobos
