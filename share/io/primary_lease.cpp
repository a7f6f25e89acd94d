#include "share/io/primary_lease.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <system_error>

#include "share/io/atomic_file.hpp"

namespace lobos {
namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

template <class T>
bool parse_number(std::string_view text, T& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string format_lease(const LeaseRecord& lease) {
    return lease.holder + " " + std::to_string(lease.epoch) + " " + std::to_string(lease.expires_unix_ms) +
           "\n";
}

std::optional<LeaseRecord> parse_lease(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    auto first = text.find(' ');
    if (first == std::string_view::npos) return std::nullopt;
    auto second = text.find(' ', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    LeaseRecord lease;
    lease.holder = std::string(text.substr(0, first));
    if (lease.holder.empty() || !parse_number(text.substr(first + 1, second - first - 1), lease.epoch) ||
        !parse_number(text.substr(second + 1), lease.expires_unix_ms))
        return std::nullopt;
    return lease;
}

std::optional<LeaseRecord> claim_lease(const std::optional<LeaseRecord>& current, const std::string& self,
                                       std::int64_t now_ms, std::int64_t duration_ms) {
    if (!current) return LeaseRecord{self, 1, now_ms + duration_ms};
    if (current->holder == self) return LeaseRecord{self, current->epoch, now_ms + duration_ms};
    if (current->expires_unix_ms <= now_ms)
        return LeaseRecord{self, current->epoch + 1, now_ms + duration_ms};
    return std::nullopt;
}

bool lease_held(const std::optional<LeaseRecord>& current, const std::string& self, std::uint64_t epoch,
                std::int64_t now_ms) {
    return current && current->holder == self && current->epoch == epoch && now_ms < current->expires_unix_ms;
}

PrimaryLease::PrimaryLease(std::filesystem::path lease_file, std::string self,
                           std::chrono::milliseconds duration)
    : lease_file_(std::move(lease_file)), self_(std::move(self)), duration_(duration) {
    const std::string lock_path = lease_file_.string() + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + lock_path);
}

PrimaryLease::~PrimaryLease() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

bool PrimaryLease::lock() { return ::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0; }

void PrimaryLease::unlock() { ::flock(lock_fd_, LOCK_UN); }

std::optional<LeaseRecord> PrimaryLease::read() const {
    auto text = read_file_if_exists(lease_file_);
    if (!text) return std::nullopt;
    return parse_lease(*text);
}

PrimaryLease::Claim PrimaryLease::claim(std::chrono::system_clock::time_point now) {
    Claim result;
    // The usual case, renewing a lease this master holds, is written and
    // synced before taking the lock, so that the lock is held only for a
    // read and a rename: a master frozen while holding it would keep every
    // other master from taking over.
    const std::int64_t now_ms = unix_ms(now);
    std::optional<StagedFile> renewal;
    if (held_epoch_)
        renewal.emplace(lease_file_, format_lease({self_, *held_epoch_, now_ms + duration_.count()}));
    if (!lock()) return result;
    bool renamed = false;
    try {
        result.previous = read();
        auto next = claim_lease(result.previous, self_, now_ms, duration_.count());
        if (next) {
            if (renewal && next->epoch == *held_epoch_) {
                renewal->publish();
            } else {
                // A new epoch must survive a crash (epochs never go back), so it is synced.
                StagedFile taken(lease_file_, format_lease(*next));
                taken.publish();
            }
            renamed = true;
            result.outcome = Outcome::held;
            result.epoch = next->epoch;
            held_epoch_ = next->epoch;
        } else {
            result.outcome = Outcome::taken_by_other;
            held_epoch_.reset();
        }
    } catch (...) {
        unlock();
        throw;
    }
    unlock();
    if (renamed) sync_parent_directory(lease_file_);
    return result;
}

void PrimaryLease::release() {
    if (!lock()) return;  // it expires on its own
    try {
        auto current = read();
        if (current && current->holder == self_)
            write_file_atomically(lease_file_, format_lease({"-", current->epoch, 0}));
    } catch (...) {
        unlock();
        throw;
    }
    unlock();
}

bool PrimaryLease::while_held(std::uint64_t epoch, std::chrono::system_clock::time_point now,
                              const std::function<void()>& write) {
    if (!lock()) return false;
    bool held = false;
    try {
        held = lease_held(read(), self_, epoch, unix_ms(now));
        if (held) write();
    } catch (...) {
        unlock();
        throw;
    }
    unlock();
    return held;
}

}  // namespace lobos
