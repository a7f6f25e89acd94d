#include "pulse/daemon/detail_writer.hpp"

#include <utility>

#include "share/io/atomic_file.hpp"

namespace lobos {
namespace {

// The lease lock is held by the I/O thread only for a rename or a lease
// renewal: a busy lock is tried again this often, this many times, before
// the write is given up (the next snapshot comes within a few seconds).
constexpr auto lock_retry = std::chrono::milliseconds(2);
constexpr int lock_attempts = 25;

}  // namespace

DetailWriter::DetailWriter(StatusWriter files, std::filesystem::path lease_file, std::string self,
                           std::chrono::milliseconds lease_duration, DaemonLog& log)
    : files_(std::move(files)),
      lease_(std::move(lease_file), std::move(self), lease_duration),
      log_(log),
      thread_([this] { run(); }) {}

DetailWriter::~DetailWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        next_.reset();
    }
    wake_.notify_one();
    thread_.join();
}

bool DetailWriter::submit(Snapshot&& snapshot) {
    {
        std::lock_guard lock(mutex_);
        if (busy_ || stopping_) return false;
        busy_ = true;
        next_ = std::move(snapshot);
    }
    wake_.notify_one();
    return true;
}

void DetailWriter::run() {
    for (;;) {
        Snapshot snapshot;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || next_.has_value(); });
            if (stopping_) return;
            snapshot = std::move(*next_);
            next_.reset();
        }
        write(snapshot);
        // The reports are let go here, on this thread, not on the I/O thread.
        snapshot = {};
        std::lock_guard lock(mutex_);
        busy_ = false;
    }
}

void DetailWriter::write(const Snapshot& snapshot) {
    const auto failed = [&](const FileError& error) {
        log_.limited(LogLevel::error, "detail",
                     "cannot write " + files_.detail_path().string() + ": " + error.text());
    };
    FileResult<StagedFile> staged =
        files_.stage_detail(snapshot.nodes, snapshot.links, snapshot.dropped, snapshot.taken, snapshot.writer,
                            snapshot.epoch, snapshot.listening_since);
    if (!staged) return failed(staged.error());
    std::int64_t start_ns = 0, end_ns = 0;
    for (int attempt = 0; attempt < lock_attempts; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(lock_retry);
        // Under the lock only the rename, as for node_status.
        PrimaryLease::Write published =
            lease_.while_held(snapshot.epoch, std::chrono::system_clock::now(), [&] {
                start_ns = wall_clock_ns();
                staged->publish();
                end_ns = wall_clock_ns();
            });
        if (published.error) return failed(*published.error);
        if (published.ran) {
            if (auto synced = try_sync_parent_directory(files_.detail_path()); !synced)
                log_.limited(LogLevel::warning, "detail sync", synced.error().text());
            files_.audit(snapshot.writer, snapshot.epoch, start_ns, end_ns);
            return;
        }
        // Not published: the lock was busy, or the lease is no longer
        // ours; only the first is worth waiting for.
        auto text = try_read_file_if_exists(lease_.file());
        if (!text || !*text) return;
        std::optional<LeaseRecord> current = parse_lease(**text);
        if (!current || current->holder != snapshot.writer || current->epoch != snapshot.epoch) return;
    }
}

}  // namespace lobos
