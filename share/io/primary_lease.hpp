#pragma once
// Exactly one primary master writes the cluster's status files. Masters
// agree through a lease record in the cluster root (a shared file system, as
// LoBoS assumed): the primary renews it every heartbeat; another master may
// take it only once it has expired, with the next epoch. Every status write
// happens under the lease file's lock after checking that the writer still
// holds the current epoch, so a master that was stopped and resumes after
// losing the lease cannot write even once: masters that cannot hear each
// other never write at the same time.
//
// Expiry is in wall-clock time, so masters' clocks must agree (NTP) to well
// within MasterTimeOut.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "share/io/atomic_file.hpp"
#include "share/io/file_descriptor.hpp"

namespace lobos {

struct LeaseRecord {
    std::string holder;  // master name; "-" once released
    std::uint64_t epoch = 0;
    std::int64_t expires_unix_ms = 0;

    bool operator==(const LeaseRecord&) const = default;
};

std::string format_lease(const LeaseRecord& lease);
std::optional<LeaseRecord> parse_lease(std::string_view text);

// The lease after `self` claims it at `now_ms`: renewed if self holds it,
// taken with the next epoch if it is free or expired, nullopt if another
// master holds it.
std::optional<LeaseRecord> claim_lease(const std::optional<LeaseRecord>& current, const std::string& self,
                                       std::int64_t now_ms, std::int64_t duration_ms);

// True while `self` holds `epoch` and it has not expired at `now_ms`.
bool lease_held(const std::optional<LeaseRecord>& current, const std::string& self, std::uint64_t epoch,
                std::int64_t now_ms);

// The lease file of a cluster root, and its lock. No method throws on an I/O
// error: a stale handle, a full disk or a lost lock server are outcomes the
// caller logs and tries again on its next heartbeat.
class PrimaryLease {
public:
    // Throws std::system_error when the lock file cannot be opened: a
    // start-up failure. Later failures to open it are values.
    PrimaryLease(std::filesystem::path lease_file, std::string self, std::chrono::milliseconds duration);
    ~PrimaryLease();
    PrimaryLease(const PrimaryLease&) = delete;
    PrimaryLease& operator=(const PrimaryLease&) = delete;

    enum class Outcome { held, taken_by_other, lock_busy, io_error };
    struct Claim {
        Outcome outcome = Outcome::lock_busy;
        std::uint64_t epoch = 0;              // the epoch held, when held
        std::optional<LeaseRecord> previous;  // the record found before claiming
        std::error_code error;                // when io_error
        std::string error_text;               // when io_error: what failed, naming the file
    };
    // Claims or renews the lease. Never blocks: a lock held by another master
    // (for a status write) gives lock_busy, to be tried again. An I/O error
    // gives io_error, and whether this master still holds the lease is then
    // unknown: the caller keeps its epoch, and while_held checks it again.
    Claim claim(std::chrono::system_clock::time_point now);
    // Gives the lease up if this master holds it, so the rightful primary
    // need not wait for it to expire. An error leaves it to expire.
    std::optional<FileError> release();

    struct Write {
        bool ran = false;                // `write` ran under the lease
        std::optional<FileError> error;  // the lease's I/O failed, or `write` threw std::system_error
        operator bool() const { return ran && !error; }
    };
    // Runs `write` under the lock if this master still holds `epoch`; false
    // (and nothing run) otherwise or when the lock is busy. A std::system_error
    // thrown by `write` is caught and returned as the error.
    Write while_held(std::uint64_t epoch, std::chrono::system_clock::time_point now,
                     const std::function<void()>& write);

    const std::filesystem::path& file() const { return lease_file_; }

private:
    enum class Lock { taken, busy, failed };
    Lock lock(FileError& error);
    void unlock();
    std::optional<FileError> open_lock_file();
    FileResult<std::optional<LeaseRecord>> read() const;

    std::filesystem::path lease_file_;
    std::filesystem::path lock_file_;
    std::string self_;
    std::chrono::milliseconds duration_;
    FileDescriptor lock_fd_;  // closed after an error of the descriptor: opened again on next use
    std::optional<std::uint64_t> held_epoch_;  // as of the last claim
};

}  // namespace lobos
