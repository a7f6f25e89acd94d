#include <iostream>
#include <iterator>

#include "lobosq/command/commands.hpp"
#include "lobosq/command/daemon_request.hpp"
#include "lobosq/job/script_text.hpp"
#include "lobosq/scheduler/probe_answer.hpp"

namespace lobos {

int test_job(const ClusterConfig& config, const ClusterPaths& paths, std::istream& in, std::ostream& out,
             std::ostream& err) {
    const std::string script{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (auto problem = check_script_text(script)) {
        err << "lobosq: job refused: "
            << (problem->line ? "line " + std::to_string(problem->line) + ": " : "") << problem->reason
            << "\n";
        return exit_refused;
    }
    // The daemon reads the directives and plans: it alone knows the queue.
    const auto patience = daemon_patience(config);
    const DaemonReply reply = ask_queue_daemon(
        config, paths, probe_prefix,
        [&](const std::optional<WakeUpAddress>& reply_to) {
            return encode_probe_request(ProbeRequest{script, reply_to});
        },
        patience);
    if (!reply.error.empty()) {
        err << "lobosq: --test-only: " << reply.error << "\n";
        return exit_failure;
    }
    if (!reply.answer) {
        err << "lobosq: --test-only: the queue daemon has not answered in "
            << std::chrono::duration_cast<std::chrono::seconds>(patience).count() << " s\n";
        return exit_no_answer;
    }
    if (!reply.answer->ok) {
        err << "lobosq: " << reply.answer->message << "\n";
        return exit_refused;
    }
    // The estimate comes as data, said here in the user's time zone.
    std::string error;
    const std::optional<ProbeEstimate> estimate = decode_probe_estimate(reply.answer->message, error);
    out << "lobosq: test only, nothing queued: the job "
        << (estimate ? describe_probe(*estimate, std::chrono::system_clock::now()) : reply.answer->message)
        << "\n";
    return exit_ok;
}

}  // namespace lobos
