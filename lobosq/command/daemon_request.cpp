#include "lobosq/command/daemon_request.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <random>
#include <vector>

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

// After a wake-up the answer is written, but this host's file-system client
// may not show it for a moment (a cached directory): it is looked for this
// often, this many times, before the once-a-second looks take over again.
constexpr auto quick_look_interval = 10ms;
constexpr int quick_looks_after_wake_up = 20;

// Waits up to `patience` for the daemon's answer in `answers/nonce`: woken
// by the daemon's datagram in `inbox`, by inotify when the daemon writes on
// this host, and looking at least once a second whatever happens.
std::optional<std::string> wait_for_answer(const fs::path& answers, const std::string& nonce,
                                           std::chrono::milliseconds patience, WakeUpInbox& inbox) {
    const fs::path answer = answers / nonce;
    int fd = ::inotify_init1(IN_CLOEXEC);
    if (fd >= 0) ::inotify_add_watch(fd, answers.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::optional<std::string> text;
    int quick_looks = 0;
    for (;;) {
        try {
            text = read_file_if_exists(answer);
        } catch (const std::exception&) {
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (text || left <= 0ms) break;
        // No inotify: look again shortly. Else a second at most between
        // looks, in case the event and the wake-up are both missed.
        std::chrono::milliseconds wait = fd < 0 ? 20ms : 1000ms;
        if (quick_looks > 0) {
            --quick_looks;
            wait = quick_look_interval;
        }
        std::array<pollfd, 2> watched{{{fd, POLLIN, 0}, {inbox.fd(), POLLIN, 0}}};
        if (::poll(watched.data(), watched.size(), static_cast<int>(std::min(left, wait).count())) <= 0)
            continue;
        if (watched[0].revents & POLLIN) {
            char buffer[4096];
            [[maybe_unused]] auto n = ::read(fd, buffer, sizeof buffer);
        }
        if ((watched[1].revents & POLLIN) && inbox.take(WakeUpKind::answer))
            quick_looks = quick_looks_after_wake_up;
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
                             const RequestBody& body, std::chrono::milliseconds patience) {
    const std::string nonce = make_nonce();
    // Listening before the request exists, so that no wake-up comes too early.
    std::vector<std::string> masters;
    for (const Node* master : config.masters_by_rank()) masters.push_back(master->ip);
    WakeUpInbox inbox(masters, config.pulse.wake_port);
    const fs::path temporary = paths.spool() / ("." + std::string(prefix) + nonce);
    const fs::path request = paths.spool() / (std::string(prefix) + nonce);
    try {
        write_file_atomically(temporary, body(inbox.address()), 0600);
        fs::rename(temporary, request);
    } catch (const std::exception& e) {
        std::error_code ec;
        fs::remove(temporary, ec);
        return DaemonReply{std::nullopt,
                           "cannot write the request to " + paths.spool().string() + ": " + e.what()};
    }
    wake_up_masters(config, WakeUpKind::spool);
    auto text = wait_for_answer(paths.queue_dir() / "answers", nonce, patience, inbox);
    return DaemonReply{text ? decode_cancel_answer(*text) : std::nullopt, {}};
}

}  // namespace lobos
