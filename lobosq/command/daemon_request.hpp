#pragma once
// A request to the queue daemon through the spool and its answer: the
// request is renamed into ROOT/spool/PREFIXNONCE (so the daemon never reads
// half of it, and learns the sender from the file's owner), the answer
// appears as ROOT/queue/answers/NONCE. Used by `lobosq can` and
// `lobosq --test-only`. The request names a UDP port where lobosq hears the
// daemon's "look now" once the answer is written (share/io/wake_up's
// WakeUpInbox): inotify does not see a file another host writes. inotify
// and a look every second stay for when the wake-up is lost.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/cluster_config.hpp"
#include "lobosq/job/spool_entry.hpp"
#include "share/io/cluster_root.hpp"

namespace lobos {

struct DaemonReply {
    std::optional<CancelAnswer> answer;  // none when the daemon did not answer in time
    std::string error;                   // the request could not be written (answer is none then too)
};

// Long enough for the next master's daemon to take over from a dead one.
std::chrono::milliseconds daemon_patience(const ClusterConfig& config);

// The request's text, given where lobosq waits for the wake-up (none when it cannot listen).
using RequestBody = std::function<std::string(const std::optional<WakeUpAddress>& reply_to)>;

// After writing the request it wakes every master's daemon (share/io/wake_up).
DaemonReply ask_queue_daemon(const ClusterConfig& config, const ClusterPaths& paths, std::string_view prefix,
                             const RequestBody& body, std::chrono::milliseconds patience);

}  // namespace lobos
