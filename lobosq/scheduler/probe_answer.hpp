#pragma once
// What `lobosq --test-only` tells the user: where and when the job would
// start if it were submitted now, from a plan made with it in the queue.
// The queue daemon plans and sends the estimate as data; lobosq says it in
// words, in its user's time zone. Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lobosq/scheduler/job_queue.hpp"
#include "share/formats/wait_reason.hpp"

namespace lobos {

struct ProbeEstimate {
    bool planned = false;            // false: the plan has no place for it
    bool starts_now = false;         // at the moment of the plan, on `cpus`
    std::optional<JobTime> start;    // none: it cannot start with the nodes up now
    std::vector<int> cpus;           // the CPUs it starts on, or that the plan reserves
    std::vector<std::string> nodes;  // their distinct nodes, NODE0 first
    WaitReason why;

    bool operator==(const ProbeEstimate&) const = default;
};

// The probed job `id` in the plan made at `now`.
ProbeEstimate estimate_probe(const SchedulePass& pass, std::string_view id, JobTime now);

// One line of JSON: the answer's message from the queue daemon to lobosq.
std::string encode_probe_estimate(const ProbeEstimate& estimate);
// nullopt and `error` when the text is not an estimate (a daemon older than
// this lobosq answers in words: show those).
std::optional<ProbeEstimate> decode_probe_estimate(std::string_view text, std::string& error);

// "would start now on cpus 1,3 (n01 n02)";
// "would start about Tue Nov 24 18:23:00 on cpus 5,7 (n03 n04); until then: behind ...";
// "would not start with the nodes up now: needs 8 CPUs; ...";
// times in local time; `now` is the reader's.
std::string describe_probe(const ProbeEstimate& estimate, JobTime now);
std::string describe_probe(const SchedulePass& pass, std::string_view id, JobTime now);

}  // namespace lobos
