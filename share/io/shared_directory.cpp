#include "share/io/shared_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "share/io/file_descriptor.hpp"

namespace lobos {

namespace {

// The lock is held for a few mkdir calls: a host holds it milliseconds.
constexpr auto lock_retry = std::chrono::milliseconds(10);
constexpr int lock_attempts = 200;

}  // namespace

bool make_shared_directories(const std::filesystem::path& dir, const std::filesystem::path& lock_file,
                             std::error_code& ec) {
    std::error_code exists_error;
    if (std::filesystem::is_directory(dir, exists_error)) {
        ec.clear();
        return false;
    }
    FileDescriptor lock(::open(lock_file.c_str(), O_RDONLY | O_CLOEXEC));
    bool locked = false;
    for (int attempt = 0; lock && attempt < lock_attempts; ++attempt) {
        if (::flock(lock.get(), LOCK_EX | LOCK_NB) == 0) {
            locked = true;
            break;
        }
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) break;  // no locks on this file system: go without
        std::this_thread::sleep_for(lock_retry);
    }
    const bool created = std::filesystem::create_directories(dir, ec);
    if (locked) ::flock(lock.get(), LOCK_UN);
    return created;
}

}  // namespace lobos
