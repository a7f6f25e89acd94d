#include "lobosq/job/node_orders.hpp"

#include "lobosq/job/job_json.hpp"

namespace lobos {

using namespace job_json;

namespace {

const char* to_string(RunnerState state) {
    switch (state) {
        case RunnerState::starting:
            return "starting";
        case RunnerState::running:
            return "running";
        case RunnerState::ended:
            return "ended";
    }
    return "unknown";
}

}  // namespace

std::string encode_start_order(const StartOrder& order) {
    return dump(json{
        {"spec", to_json(order.spec)},
        {"placement", to_json(order.placement)},
        {"cancel_grace_seconds", order.cancel_grace_seconds},
        {"dispatched", time_value(order.dispatched)},
    });
}

std::string encode_cancel_order(const CancelOrder& order) {
    return dump(json{{"reason", text_value(order.reason)}});
}

std::string encode_job_report(const JobReport& report) {
    // Compact: a report is one line of the log, and JSON escapes every
    // newline inside a string, so none can split it.
    const json document{
        {"state", to_string(report.state)},
        {"shepherd_pid", report.shepherd_pid},
        {"shepherd_start", report.shepherd_start},
        {"job_pgid", report.job_pgid},
        {"started", optional_time_value(report.started)},
        {"end", report.end ? to_json(*report.end) : json(nullptr)},
    };
    return document.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<StartOrder> decode_start_order(std::string_view text, std::string& error) {
    return decode(text, error, [](const json& document) {
        StartOrder order;
        order.spec = read_spec(member(document, "spec", ""), "spec");
        order.placement = read_placement(member(document, "placement", ""), "placement");
        if (order.placement.cpus.empty()) expected("placement.cpus", "at least one CPU");
        order.cancel_grace_seconds = number_at(document, "cancel_grace_seconds", "");
        if (order.cancel_grace_seconds < 0) expected("cancel_grace_seconds", "seconds, 0 or more");
        order.dispatched = time_at(document, "dispatched", "");
        return order;
    });
}

std::optional<CancelOrder> decode_cancel_order(std::string_view text, std::string& error) {
    return decode(text, error,
                  [](const json& document) { return CancelOrder{text_at(document, "reason", "")}; });
}

namespace {

// The last line of `text` that ends in a newline, or all of it when it has none.
std::string_view last_complete_line(std::string_view text) {
    const auto end = text.rfind('\n');
    if (end == std::string_view::npos) return text;
    const auto start = text.rfind('\n', end == 0 ? 0 : end - 1);
    if (start == std::string_view::npos || start >= end) return text.substr(0, end);
    return text.substr(start + 1, end - start - 1);
}

std::optional<JobReport> decode_report_line(std::string_view text, std::string& error) {
    return decode(text, error, [](const json& document) {
        JobReport report;
        const std::string state = text_at(document, "state", "");
        bool known = false;
        for (RunnerState s : {RunnerState::starting, RunnerState::running, RunnerState::ended}) {
            if (state == to_string(s)) {
                report.state = s;
                known = true;
            }
        }
        if (!known) expected("state", "starting, running or ended");
        // The daemon signals these ids (kill(-pgid) for the job): 0 means
        // none yet, and neither -1 nor 1 may ever reach kill, which would
        // signal every process there is.
        report.shepherd_pid = integer_at<pid_t>(document, "shepherd_pid", "");
        if (report.shepherd_pid < 0 || report.shepherd_pid == 1)
            expected("shepherd_pid", "a process id above 1, or 0 for none");
        report.shepherd_start = integer_at<unsigned long long>(document, "shepherd_start", "");
        report.job_pgid = integer_at<pid_t>(document, "job_pgid", "");
        if (report.job_pgid < 0 || report.job_pgid == 1)
            expected("job_pgid", "a process group id above 1, or 0 for none");
        report.started = optional_time_at(document, "started", "");
        if (const json* end = optional_member(document, "end")) report.end = read_end(*end, "end");
        return report;
    });
}

}  // namespace

std::optional<JobReport> decode_job_report(std::string_view text, std::string& error) {
    const std::string_view line = last_complete_line(text);
    auto report = decode_report_line(line, error);
    // A report of an older runner: one JSON document over several lines.
    if (!report && line.size() != text.size()) {
        std::string whole_error;
        if ((report = decode_report_line(text, whole_error))) error.clear();
    }
    return report;
}

}  // namespace lobos
