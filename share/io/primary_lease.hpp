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

// The lease file of a cluster root, and its lock.
class PrimaryLease {
public:
    PrimaryLease(std::filesystem::path lease_file, std::string self, std::chrono::milliseconds duration);
    ~PrimaryLease();
    PrimaryLease(const PrimaryLease&) = delete;
    PrimaryLease& operator=(const PrimaryLease&) = delete;

    enum class Outcome { held, taken_by_other, lock_busy };
    struct Claim {
        Outcome outcome = Outcome::lock_busy;
        std::uint64_t epoch = 0;              // the epoch held, when held
        std::optional<LeaseRecord> previous;  // the record found before claiming
    };
    // Claims or renews the lease. Never blocks: a lock held by another master
    // (for a status write) gives lock_busy, to be tried again.
    Claim claim(std::chrono::system_clock::time_point now);
    // Gives the lease up if this master holds it, so the rightful primary
    // need not wait for it to expire.
    void release();
    // Runs `write` under the lock if this master still holds `epoch`; false
    // (and nothing run) otherwise or when the lock is busy.
    bool while_held(std::uint64_t epoch, std::chrono::system_clock::time_point now,
                    const std::function<void()>& write);

    const std::filesystem::path& file() const { return lease_file_; }

private:
    bool lock();
    void unlock();
    std::optional<LeaseRecord> read() const;

    std::filesystem::path lease_file_;
    std::string self_;
    std::chrono::milliseconds duration_;
    int lock_fd_ = -1;
    std::optional<std::uint64_t> held_epoch_;  // as of the last claim
};

}  // namespace lobos
