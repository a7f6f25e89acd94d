#include "lobosq/command/daemon_request.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include "share/io/atomic_file.hpp"
#include "share/io/wake_up.hpp"

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

std::chrono::milliseconds daemon_patience(const ClusterConfig& config) {
    return std::max<std::chrono::milliseconds>(
        10s,
        std::chrono::milliseconds(static_cast<long long>(config.pulse.master_timeout.count() * 2000)) + 2s);
}

DaemonReply ask_queue_daemon(const ClusterConfig& config, const ClusterPaths& paths, std::string_view prefix,
                             const std::string& body, std::chrono::milliseconds patience) {
    const std::string nonce = make_nonce();
    const fs::path temporary = paths.spool() / ("." + std::string(prefix) + nonce);
    const fs::path request = paths.spool() / (std::string(prefix) + nonce);
    try {
        write_file_atomically(temporary, body, 0600);
        fs::rename(temporary, request);
    } catch (const std::exception& e) {
        std::error_code ec;
        fs::remove(temporary, ec);
        return DaemonReply{std::nullopt,
                           "cannot write the request to " + paths.spool().string() + ": " + e.what()};
    }
    wake_up_masters(config, WakeUpKind::spool);
    auto text = wait_for_answer(paths.queue_dir() / "answers", nonce, patience);
    return DaemonReply{text ? decode_cancel_answer(*text) : std::nullopt, {}};
}

}  // namespace lobos
