#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <random>

#include "lobosq/commands.hpp"
#include "lobosq/job_id.hpp"
#include "lobosq/spool_entry.hpp"
#include "share/atomic_file.hpp"

namespace lobos {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string make_nonce() {
    std::random_device random;
    char text[40];
    std::snprintf(text, sizeof text, "%d-%08x%08x", static_cast<int>(::getpid()), random(), random());
    return text;
}

// Waits for the daemon's answer to arrive in `answers/nonce`, on inotify, up to `patience`.
std::optional<std::string> wait_for_answer(const fs::path& answers, const std::string& nonce,
                                           std::chrono::milliseconds patience) {
    const fs::path answer = answers / nonce;
    int fd = ::inotify_init1(IN_CLOEXEC);
    if (fd >= 0) ::inotify_add_watch(fd, answers.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::optional<std::string> text;
    for (;;) {
        try {
            text = read_file_if_exists(answer);
        } catch (const std::exception&) {
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (text || left <= 0ms) break;
        if (fd < 0) {
            ::usleep(20000);  // no inotify: look again shortly
            continue;
        }
        pollfd p{fd, POLLIN, 0};
        // A second at most between looks, in case the event is missed (NFS).
        if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) > 0) {
            char buffer[4096];
            [[maybe_unused]] auto n = ::read(fd, buffer, sizeof buffer);
        }
    }
    if (fd >= 0) ::close(fd);
    return text;
}

}  // namespace

int cancel_jobs(const ClusterConfig& config, const ClusterPaths& paths, const std::vector<std::string>& ids,
                std::ostream& out, std::ostream& err) {
    if (ids.empty()) {
        err << "lobosq: can: which job? (lobosq can ID)\n";
        return exit_refused;
    }
    // Long enough for the next master's daemon to take over from a dead one.
    const auto patience = std::max<std::chrono::milliseconds>(
        10s,
        std::chrono::milliseconds(static_cast<long long>(config.pulse.master_timeout.count() * 2000)) + 2s);
    int status = exit_ok;
    for (const std::string& id : ids) {
        if (!is_job_id(id)) {
            err << "lobosq: can: '" << id << "' is not a job id (user.yymmddhhmmss)\n";
            status = std::max(status, exit_refused);
            continue;
        }
        const std::string nonce = make_nonce();
        const fs::path temporary = paths.spool() / ("." + std::string(cancel_prefix) + nonce);
        const fs::path request = paths.spool() / (std::string(cancel_prefix) + nonce);
        try {
            write_file_atomically(temporary, encode_cancel_request(CancelRequest{id}), 0600);
            fs::rename(temporary, request);
        } catch (const std::exception& e) {
            err << "lobosq: can " << id << ": cannot write the request to " << paths.spool().string() << ": "
                << e.what() << "\n";
            std::error_code ec;
            fs::remove(temporary, ec);
            return exit_failure;
        }
        auto text = wait_for_answer(paths.queue_dir() / "answers", nonce, patience);
        auto answer = text ? decode_cancel_answer(*text) : std::nullopt;
        if (!answer) {
            err << "lobosq: can " << id << ": the queue daemon has not answered in "
                << std::chrono::duration_cast<std::chrono::seconds>(patience).count()
                << " s; the request stays queued and is carried out when it runs\n";
            status = std::max(status, exit_no_answer);
            continue;
        }
        if (answer->ok) {
            out << "lobosq: " << answer->message << "\n";
        } else {
            err << "lobosq: can " << id << ": " << answer->message << "\n";
            status = std::max(status, exit_failure);
        }
    }
    return status;
}

}  // namespace lobos
