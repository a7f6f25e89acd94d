#pragma once
// What `lobosq` leaves in the spool directory (ROOT/spool, sticky and
// writable by everyone) for the queue daemon:
//
//   ID.job         a submission: the script, the directory, the environment
//   cancel.NONCE   a request to cancel a job; the daemon answers in
//                  ROOT/queue/answers/NONCE
//
// Who sent a file is the owner of the file, which a user cannot forge; the
// contents say nothing about identity. A cancel or probe request may name
// where its sender waits for a "look now" once the answer is written
// ("reply_to", share/formats/wake_up_message): a hint for speed only, which
// a request without it (from an older lobosq) does without. Pure codecs.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lobosq/job/job.hpp"
#include "share/formats/wake_up_message.hpp"

namespace lobos {

inline constexpr std::string_view submission_suffix = ".job";
inline constexpr std::string_view cancel_prefix = "cancel.";
// `lobosq --test-only`: where a script would run now, nothing queued.
inline constexpr std::string_view probe_prefix = "probe.";
// A spool file larger than this is refused unread (a script is text).
inline constexpr std::size_t max_spool_file = 1 << 20;

struct Submission {
    std::string dir;
    std::string script;
    std::map<std::string, std::string> environment;
    JobTime submitted{};

    bool operator==(const Submission&) const = default;
};

struct CancelRequest {
    std::string job;
    std::optional<WakeUpAddress> reply_to = std::nullopt;  // none when absent or not a valid address
    bool operator==(const CancelRequest&) const = default;
};

std::string encode_submission(const Submission& submission);
std::optional<Submission> decode_submission(std::string_view text, std::string& error);
struct ProbeRequest {
    std::string script;
    std::optional<WakeUpAddress> reply_to = std::nullopt;
    bool operator==(const ProbeRequest&) const = default;
};

std::string encode_cancel_request(const CancelRequest& request);
std::optional<CancelRequest> decode_cancel_request(std::string_view text, std::string& error);
std::string encode_probe_request(const ProbeRequest& request);
std::optional<ProbeRequest> decode_probe_request(std::string_view text, std::string& error);

// The answer to a cancel or probe request: first line "ok" or "refused",
// then the message for the user.
struct CancelAnswer {
    bool ok = false;
    std::string message;
    bool operator==(const CancelAnswer&) const = default;
};
std::string encode_cancel_answer(const CancelAnswer& answer);
std::optional<CancelAnswer> decode_cancel_answer(std::string_view text);

}  // namespace lobos
