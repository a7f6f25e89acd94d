#include "lobosq/queue_daemon/runner_mailbox.hpp"

#include <exception>
#include <optional>
#include <system_error>

#include "lobosq/queue_daemon/directory_entries.hpp"
#include "share/formats/job_id.hpp"
#include "share/io/atomic_file.hpp"

namespace lobos {

namespace fs = std::filesystem;

fs::path RunnerMailbox::file(const std::string& node, const std::string& id, std::string_view suffix) const {
    return paths_.node_dir(node) / (id + std::string(suffix));
}

std::string RunnerMailbox::send_start(const Job& job, JobTime dispatched) const {
    try {
        // Not synced: a daemon that restarts sends it again if it is lost,
        // and adopts the job if it finds it here with no durable dispatch.
        write_file_atomically(
            file(job.placement->node0(), job.spec.id, start_suffix),
            encode_start_order(StartOrder{job.spec, *job.placement, cancel_grace_.count(), dispatched}), 0600,
            Durability::unsynced);
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

std::string RunnerMailbox::send_cancel(const std::string& node0, const std::string& id,
                                       const std::string& reason) const {
    try {
        write_file_atomically(file(node0, id, cancel_suffix), encode_cancel_order(CancelOrder{reason}), 0644,
                              Durability::unsynced);
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

bool RunnerMailbox::has_start_or_report(const std::string& node0, const std::string& id) const {
    std::error_code ec;
    return fs::exists(file(node0, id, start_suffix), ec) || fs::exists(file(node0, id, state_suffix), ec);
}

namespace {

// The ids of the files ID`suffix` in `dir`, with their paths.
std::vector<std::pair<std::string, fs::path>> files_of_jobs(const fs::path& dir, std::string_view suffix,
                                                            std::error_code& ec) {
    std::vector<std::pair<std::string, fs::path>> files;
    for (const fs::directory_entry& entry : directory_entries(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(suffix))
            files.emplace_back(name.substr(0, name.size() - suffix.size()), entry.path());
    }
    return files;
}

// The file decoded, or nullopt with `error` (empty when the file is gone).
template <class T>
std::optional<T> read_decoded(const fs::path& path,
                              std::optional<T> (*decode)(std::string_view, std::string&),
                              std::string& error) {
    try {
        if (auto text = read_file_if_exists(path)) return decode(*text, error);
    } catch (const std::exception& e) {
        error = e.what();
    }
    return std::nullopt;
}

}  // namespace

std::vector<RunnerMailbox::Report> RunnerMailbox::read_reports(
    const std::string& node, const std::function<bool(const std::string& id)>& skip) const {
    std::vector<Report> reports;
    std::error_code ec;
    const fs::path dir = paths_.node_dir(node);
    for (const auto& [id, path] : files_of_jobs(dir, state_suffix, ec)) {
        if (!is_job_id(id) || skip(id)) continue;
        std::string error;
        if (std::optional<JobReport> report = read_decoded(path, decode_job_report, error))
            reports.push_back(Report{id, std::move(*report)});
        else if (!error.empty())
            log_.limited(LogLevel::warning, "report " + path.string(), path.string() + ": " + error);
    }
    if (ec)
        log_.limited(LogLevel::warning, "reports " + node,
                     "cannot read " + dir.string() + ": " + ec.message());
    return reports;
}

std::map<std::string, RunnerMailbox::Handed> RunnerMailbox::find_start_orders(
    const std::vector<std::string>& nodes, const std::set<std::string>& ids) const {
    std::map<std::string, Handed> handed;
    if (ids.empty()) return handed;
    for (const std::string& node : nodes) {
        std::error_code ec;
        for (const auto& [id, path] : files_of_jobs(paths_.node_dir(node), start_suffix, ec)) {
            if (!ids.count(id)) continue;
            std::string error;
            if (std::optional<StartOrder> order = read_decoded(path, decode_start_order, error))
                handed.insert_or_assign(id, Handed{node, std::move(*order)});
        }
        if (ec) log_.warning("cannot read " + paths_.node_dir(node).string() + ": " + ec.message());
    }
    return handed;
}

std::optional<RunnerAlive> RunnerMailbox::runner_alive(const std::string& node) const {
    const fs::path path = paths_.node_dir(node) / runner_alive_file;
    FileResult<std::optional<std::string>> text = try_read_file_if_exists(path);
    if (!text) {
        log_.limited(LogLevel::warning, "alive " + node, text.error().text());
        return std::nullopt;
    }
    if (!*text) return std::nullopt;
    std::string error;
    std::optional<RunnerAlive> alive = decode_runner_alive(**text, error);
    if (!alive) log_.limited(LogLevel::warning, "alive " + node, path.string() + ": " + error);
    return alive;
}

void RunnerMailbox::forget(const std::string& node, const std::string& id) const {
    std::error_code ec;
    for (std::string_view suffix : {start_suffix, cancel_suffix, state_suffix})
        fs::remove(file(node, id, suffix), ec);
}

void RunnerMailbox::clear_ended(const std::string& node0, const std::string& id, bool keep_cancel) const {
    std::error_code ec;
    fs::remove(file(node0, id, start_suffix), ec);
    if (keep_cancel) return;
    fs::remove(file(node0, id, cancel_suffix), ec);
    fs::remove(file(node0, id, state_suffix), ec);
}

}  // namespace lobos
