#pragma once
// The queue daemon's side of ROOT/nodes/NODE/, the one channel to each
// node's runner: orders go in (ID.start, ID.cancel, written whole but not
// synced), reports come out (ID.state, written by the runner). The job's
// NODE0 holds all of a job's files.
//
// A failed write is a value (the error text), for the caller to act on: a
// start that cannot be handed over fails the job, a cancel is tried again.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/cluster_config.hpp"
#include "lobosq/job/job.hpp"
#include "lobosq/job/node_orders.hpp"
#include "lobosq/job/runner_alive.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

class RunnerMailbox {
public:
    RunnerMailbox(const ClusterPaths& paths, Seconds cancel_grace, DaemonLog& log)
        : paths_(paths), cancel_grace_(cancel_grace), log_(log) {}

    // Hands a dispatched job to the runner of its NODE0. Empty, or why not.
    std::string send_start(const Job& job, JobTime dispatched) const;
    // Tells the runner on `node0` to end job `id`. Empty, or why not.
    std::string send_cancel(const std::string& node0, const std::string& id, const std::string& reason) const;
    // True when the runner has the job's start order or has reported on it.
    // False when that cannot be told: a runner starts a job only if it has
    // no report of it, so sending again is safe.
    bool has_start_or_report(const std::string& node0, const std::string& id) const;

    struct Report {
        std::string id;
        JobReport report;
    };
    // The reports readable now in `node`'s directory, but those of jobs
    // `skip` names; the unreadable ones are logged and read again next time.
    std::vector<Report> read_reports(const std::string& node,
                                     const std::function<bool(const std::string& id)>& skip) const;

    struct Handed {
        std::string node;
        StartOrder order;
    };
    // Of the jobs `ids`, those whose start order a runner has: by id.
    std::map<std::string, Handed> find_start_orders(const std::vector<std::string>& nodes,
                                                    const std::set<std::string>& ids) const;

    // When the runner of `node` last gave a sign of life (its runner.alive,
    // by its own clock), and the jobs it said it runs then; none when the
    // file is missing or cannot be read (logged at a limited rate).
    std::optional<RunnerAlive> runner_alive(const std::string& node) const;

    // A runner's report in `node`'s directory changed (or may have).
    void changed(const std::string& node) { nodes_changed_.insert(node); }
    bool has_changes() const { return !nodes_changed_.empty(); }
    // The nodes whose reports changed since the last call.
    std::set<std::string> take_changes() { return std::exchange(nodes_changed_, {}); }

    // Removes every file of job `id` on `node` (a job this queue has ended).
    void forget(const std::string& node, const std::string& id) const;
    // Once a job's end is durable: its start order first (so no runner
    // starts it after this), then its report and cancel order unless
    // `keep_cancel` (a cancel for a node that is down waits for its return).
    void clear_ended(const std::string& node0, const std::string& id, bool keep_cancel) const;

private:
    std::filesystem::path file(const std::string& node, const std::string& id, std::string_view suffix) const;

    const ClusterPaths& paths_;
    Seconds cancel_grace_;
    DaemonLog& log_;
    std::set<std::string> nodes_changed_;
};

}  // namespace lobos
