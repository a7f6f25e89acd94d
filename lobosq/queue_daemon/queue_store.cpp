#include "lobosq/queue_daemon/queue_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <system_error>

#include "lobosq/job/job_record.hpp"
#include "lobosq/queue_daemon/directory_entries.hpp"
#include "share/formats/job_id.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/shared_directory.hpp"

namespace lobos {

namespace fs = std::filesystem;

namespace {

// The records hold scripts and environments, so they are the daemon's alone
// (0600); the directories are 0711 so that `lobosq` can still tell whether an
// id is taken by asking for its record by name.
void make_directory(const fs::path& dir, mode_t mode, const fs::path& lock_file) {
    std::error_code ec;
    if (lock_file.empty())
        fs::create_directories(dir, ec);
    else
        make_shared_directories(dir, lock_file, ec);
    if (ec) throw std::system_error(ec, "cannot create " + dir.string());
    ::chmod(dir.c_str(), mode);
}

}  // namespace

QueueStore::QueueStore(fs::path queue_dir, const fs::path& lock_file) : dir_(std::move(queue_dir)) {
    make_directory(dir_, 0711, lock_file);
    make_directory(dir_ / "ended", 0711, lock_file);
    make_directory(answers_dir(), 0755, lock_file);
    make_directory(dir_ / "dispatched", 0700, lock_file);
}

QueueStore::Loaded QueueStore::load() const {
    Loaded loaded;
    std::error_code ec;
    for (const fs::directory_entry& entry : directory_entries(dir_, ec)) {
        const fs::path& p = entry.path();
        if (p.extension() != ".json" || !is_job_id(p.stem().string())) continue;
        try {
            auto text = read_file_if_exists(p);
            if (!text) continue;  // ended meanwhile
            std::string error;
            auto job = decode_job(*text, error);
            if (!job)
                loaded.problems.push_back(p.string() + ": " + error);
            else if (job->spec.id != p.stem().string())
                loaded.problems.push_back(p.string() + ": field 'id': " + job->spec.id +
                                          " is not the file's name");
            else
                loaded.jobs.push_back(std::move(*job));
        } catch (const std::exception& e) {
            loaded.problems.push_back(e.what());
        }
    }
    if (ec) loaded.problems.push_back(dir_.string() + ": " + ec.message());
    return loaded;
}

void QueueStore::save(const Job& job) const {
    write_file_atomically(live_record(job.spec.id), encode_job(job), 0600, Durability::unsynced);
}

bool QueueStore::retire(const Job& job) const {
    // Moved, not rewritten: the record keeps the id taken and says where the
    // job ran; how it ended is in job.log. A rename makes no new file, and
    // the file system here is slower the more files come and go.
    std::error_code ec;
    fs::rename(live_record(job.spec.id), ended_record(job.spec.id), ec);
    if (!ec) return true;
    // The rename is the server's word: gone from here but in ended/ is another daemon's move.
    std::error_code ignored;
    if (ec == std::errc::no_such_file_or_directory && fs::exists(ended_record(job.spec.id), ignored))
        return false;
    throw std::system_error(ec, "cannot move " + live_record(job.spec.id).string() + " to ended/");
}

std::optional<Job> QueueStore::claim_dispatch(const Job& job) const {
    const fs::path claim = dispatch_claim(job.spec.id);
    if (create_file_once(claim, encode_job(job), 0600)) return std::nullopt;
    // Written whole and never replaced: any copy of it read is right.
    const std::optional<std::string> text = read_file_if_exists(claim);
    std::string error = "gone";
    std::optional<Job> claimed = text ? decode_job(*text, error) : std::nullopt;
    if (!claimed)
        throw std::system_error(std::make_error_code(std::errc::io_error), claim.string() + ": " + error);
    if (claimed->placement == job.placement) return std::nullopt;
    return claimed;
}

std::map<std::string, Job> QueueStore::dispatch_claims(const std::set<std::string>& ids) const {
    std::map<std::string, Job> claims;
    if (ids.empty()) return claims;
    std::error_code ec;
    for (const fs::directory_entry& entry : directory_entries(dir_ / "dispatched", ec)) {
        const std::string id = entry.path().filename().string();
        if (!ids.contains(id)) continue;
        std::string error;
        auto text = read_file_if_exists(entry.path());
        auto job = text ? decode_job(*text, error) : std::nullopt;
        if (job && job->spec.id == id) claims.emplace(id, std::move(*job));
    }
    return claims;
}

void QueueStore::sync() const { sync_file_system(dir_); }

bool QueueStore::known(const std::string& id) const {
    std::error_code ec;
    return fs::exists(live_record(id), ec) || fs::exists(ended_record(id), ec);
}

int QueueStore::prune_ended(fs::file_time_type now, std::chrono::hours age) const {
    int removed = 0;
    for (const char* sub : {"ended", "dispatched"}) {
        std::error_code ec;
        for (const fs::directory_entry& entry : directory_entries(dir_ / sub, ec)) {
            std::error_code time_ec;
            const auto written = entry.last_write_time(time_ec);
            if (!time_ec && now - written > age && fs::remove(entry.path(), time_ec)) ++removed;
        }
    }
    return removed;
}

}  // namespace lobos
