#include "share/io/primary_lease.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
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
    : lease_file_(std::move(lease_file)),
      lock_file_(lease_file_.string() + ".lock"),
      self_(std::move(self)),
      duration_(duration) {
    if (auto error = open_lock_file()) error->raise();
}

PrimaryLease::~PrimaryLease() = default;

std::optional<FileError> PrimaryLease::open_lock_file() {
    lock_fd_.close();
    for (int attempt = 0; attempt < 100; ++attempt) {
        lock_fd_ = FileDescriptor(::open(lock_file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
        if (lock_fd_) return std::nullopt;
        if (errno != EINTR) break;
    }
    return FileError{std::error_code(errno, std::system_category()), "cannot open " + lock_file_.string()};
}

PrimaryLease::Lock PrimaryLease::lock(FileError& error) {
    // A lock file removed or replaced (by hand, or a restore of the cluster
    // root) would leave this master locking a file no other master locks:
    // open it again when the name no longer leads to the descriptor's file.
    if (lock_fd_) {
        struct stat by_fd = {};
        struct stat by_name = {};
        if (::fstat(lock_fd_.get(), &by_fd) != 0 || ::stat(lock_file_.c_str(), &by_name) != 0 ||
            by_fd.st_ino != by_name.st_ino || by_fd.st_dev != by_name.st_dev)
            lock_fd_.close();
    }
    if (!lock_fd_) {
        if (auto failed = open_lock_file()) {
            error = *failed;
            return Lock::failed;
        }
    }
    for (int attempt = 0; attempt < 100; ++attempt) {
        if (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) == 0) return Lock::taken;
        if (errno == EWOULDBLOCK) return Lock::busy;
        if (errno != EINTR) break;
    }
    error = FileError{std::error_code(errno, std::system_category()), "cannot lock " + lock_file_.string()};
    // ESTALE, EBADF, EIO, ENOLCK: the descriptor may be no good; a new one next time.
    lock_fd_.close();
    return Lock::failed;
}

void PrimaryLease::unlock() {
    if (lock_fd_) ::flock(lock_fd_.get(), LOCK_UN);
}

FileResult<std::optional<LeaseRecord>> PrimaryLease::read() const {
    auto text = try_read_file_if_exists(lease_file_);
    if (!text) return text.error();
    if (!*text) return std::optional<LeaseRecord>();
    return parse_lease(**text);
}

PrimaryLease::Claim PrimaryLease::claim(std::chrono::system_clock::time_point now) {
    Claim result;
    const auto fail = [&](const FileError& error) {
        result.outcome = Outcome::io_error;
        result.error = error.code;
        result.error_text = error.text();
        return result;
    };
    // The usual case, renewing a lease this master holds, is written and
    // synced before taking the lock, so that the lock is held only for a
    // read and a rename: a master frozen while holding it would keep every
    // other master from taking over.
    const std::int64_t now_ms = unix_ms(now);
    std::optional<StagedFile> renewal;
    if (held_epoch_) {
        auto staged =
            StagedFile::stage(lease_file_, format_lease({self_, *held_epoch_, now_ms + duration_.count()}));
        if (!staged) return fail(staged.error());
        renewal.emplace(std::move(*staged));
    }
    FileError lock_error;
    switch (lock(lock_error)) {
        case Lock::busy:
            return result;
        case Lock::failed:
            return fail(lock_error);
        case Lock::taken:
            break;
    }
    auto previous = read();
    if (!previous) {
        unlock();
        return fail(previous.error());
    }
    result.previous = *previous;
    auto next = claim_lease(result.previous, self_, now_ms, duration_.count());
    if (!next) {
        unlock();
        result.outcome = Outcome::taken_by_other;
        held_epoch_.reset();
        return result;
    }
    FileResult<Done> published = Done{};
    if (renewal && next->epoch == *held_epoch_) {
        published = renewal->try_publish();
    } else {
        // A new epoch must survive a crash (epochs never go back), so it is synced.
        auto taken = StagedFile::stage(lease_file_, format_lease(*next));
        published = taken ? taken->try_publish() : FileResult<Done>(taken.error());
    }
    unlock();
    if (!published) return fail(published.error());
    result.outcome = Outcome::held;
    result.epoch = next->epoch;
    held_epoch_ = next->epoch;
    // The rename is done; a directory that cannot be synced only makes it
    // less durable, and the next renewal tries again.
    if (auto synced = try_sync_parent_directory(lease_file_); !synced) return fail(synced.error());
    return result;
}

std::optional<FileError> PrimaryLease::release() {
    FileError error;
    switch (lock(error)) {
        case Lock::busy:
            return std::nullopt;  // it expires on its own
        case Lock::failed:
            return error;
        case Lock::taken:
            break;
    }
    std::optional<FileError> failed;
    auto current = read();
    if (!current) {
        failed = current.error();
    } else if (*current && (*current)->holder == self_) {
        if (auto done = try_write_file_atomically(lease_file_, format_lease({"-", (*current)->epoch, 0}));
            !done)
            failed = done.error();
    }
    unlock();
    held_epoch_.reset();
    return failed;
}

PrimaryLease::Write PrimaryLease::while_held(std::uint64_t epoch, std::chrono::system_clock::time_point now,
                                             const std::function<void()>& write) {
    Write result;
    FileError error;
    switch (lock(error)) {
        case Lock::busy:
            return result;
        case Lock::failed:
            result.error = error;
            return result;
        case Lock::taken:
            break;
    }
    auto current = read();
    if (!current) {
        result.error = current.error();
    } else if (lease_held(*current, self_, epoch, unix_ms(now))) {
        result.ran = true;
        try {
            write();
        } catch (const std::system_error& e) {
            // what() is "cannot write FILE: reason"; the FileError adds the reason itself.
            std::string action = e.what();
            const std::string reason = ": " + e.code().message();
            if (action.ends_with(reason)) action.resize(action.size() - reason.size());
            result.error = FileError{e.code(), action};
        } catch (...) {
            unlock();
            throw;
        }
    }
    unlock();
    return result;
}

}  // namespace lobos
