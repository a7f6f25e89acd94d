#include "lobosq/job/job.hpp"

#include <string.h>

#include <algorithm>

namespace lobos {

std::vector<std::string> Placement::distinct_nodes() const {
    std::vector<std::string> out;
    for (const std::string& node : nodes)
        if (std::find(out.begin(), out.end(), node) == out.end()) out.push_back(node);
    return out;
}

const char* to_string(JobState state) {
    switch (state) {
        case JobState::waiting:
            return "waiting";
        case JobState::running:
            return "running";
        case JobState::ended:
            return "ended";
    }
    return "unknown";
}

const char* to_string(JobOutcome outcome) {
    switch (outcome) {
        case JobOutcome::exited:
            return "exited";
        case JobOutcome::signalled:
            return "signalled";
        case JobOutcome::cancelled:
            return "cancelled";
        case JobOutcome::failed:
            return "failed";
    }
    return "unknown";
}

std::string describe(const JobEnd& end) {
    switch (end.outcome) {
        case JobOutcome::exited:
            return "exit " + std::to_string(end.exit_code);
        case JobOutcome::signalled: {
            std::string out = "signal " + std::to_string(end.signal);
            // sigdescr_np, unlike strsignal, is neither translated nor shared
            // between threads: "Killed" in every locale.
            if (const char* name = sigdescr_np(end.signal)) out += std::string(" (") + name + ")";
            return out;
        }
        case JobOutcome::cancelled:
            // The reason usually says it already: "cancelled by alice".
            if (end.reason.empty()) return "cancelled";
            if (end.reason.starts_with("cancelled")) return end.reason;
            return "cancelled: " + end.reason;
        case JobOutcome::failed:
            return end.reason.empty() ? "failed" : "failed: " + end.reason;
    }
    return "unknown";
}

}  // namespace lobos
