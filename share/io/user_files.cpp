#include "share/io/user_files.hpp"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "share/io/atomic_file.hpp"

namespace lobos {
namespace {

std::string failure(const std::string& what, const std::filesystem::path& path, int error) {
    return "cannot " + what + " " + path.string() + ": " + strerrordesc_np(error);
}

// The groups `uid` belongs to: its primary group `gid` and, when it has an
// entry in the password database, the groups that name it.
std::vector<gid_t> user_groups(uid_t uid, gid_t gid) {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return {gid};
    int count = 32;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (::getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count));  // count now says how many there are
        if (::getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) return {gid};
    }
    groups.resize(static_cast<std::size_t>(count));
    return groups;
}

// setgroups for the calling thread only: glibc's setgroups changes every
// thread of the process, which is not what a temporary identity wants.
int set_thread_groups(const std::vector<gid_t>& groups) {
    return static_cast<int>(::syscall(SYS_setgroups, groups.size(), groups.data()));
}

// The user's file system identity on this thread while it exists (as root);
// the process's own identity again when it goes.
class UserFileIdentity {
public:
    explicit UserFileIdentity(const FileIdentity& user) {
        const uid_t uid = user.uid;
        const gid_t gid = user.gid;
        if (::geteuid() != 0) {
            if (uid != ::geteuid())
                error_ = "cannot act as uid " + std::to_string(uid) + ": not running as root";
            return;
        }
        const int count = ::getgroups(0, nullptr);
        saved_groups_.resize(static_cast<std::size_t>(std::max(count, 0)));
        if (count > 0) ::getgroups(count, saved_groups_.data());
        switched_ = true;
        if (set_thread_groups(user.groups) != 0) {
            error_ = std::string("cannot take the groups of uid ") + std::to_string(uid) + ": " +
                     strerrordesc_np(errno);
            return;
        }
        // setfsuid and setfsgid report the previous value, not success: a
        // second call with an invalid id (-1) reads the current one back.
        ::setfsgid(gid);
        ::setfsuid(uid);
        if (static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1))) != gid ||
            static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1))) != uid)
            error_ = "cannot take the file system identity of uid " + std::to_string(uid) + " gid " +
                     std::to_string(gid);
    }
    ~UserFileIdentity() {
        if (!switched_) return;
        ::setfsuid(::geteuid());
        ::setfsgid(::getegid());
        set_thread_groups(saved_groups_);
    }
    UserFileIdentity(const UserFileIdentity&) = delete;
    UserFileIdentity& operator=(const UserFileIdentity&) = delete;

    const std::string& error() const { return error_; }

private:
    bool switched_ = false;
    std::vector<gid_t> saved_groups_;
    std::string error_;
};

std::string write_all(int fd, std::string_view text, const std::filesystem::path& path) {
    return write_whole(fd, text) ? std::string() : failure("write to", path, errno);
}

std::string write_and_close(int fd, std::string_view text, const std::filesystem::path& path) {
    std::string error = write_all(fd, text, path);
    // On NFS a failed write may only be reported by close.
    if (::close(fd) != 0 && error.empty()) error = failure("close", path, errno);
    return error;
}

}  // namespace

FileIdentity file_identity(uid_t uid, gid_t gid) {
    FileIdentity identity{uid, gid, {}};
    if (::geteuid() == 0) identity.groups = user_groups(uid, gid);
    return identity;
}

std::string open_as_user(const std::filesystem::path& path, int flags, mode_t mode, const FileIdentity& user,
                         int& fd) {
    fd = -1;
    UserFileIdentity identity(user);
    if (!identity.error().empty()) return identity.error();
    // O_NONBLOCK so that a FIFO put in the file's place cannot keep the
    // caller waiting for a reader; anything but a regular file is refused.
    int opened = -1;
    do {
        opened = ::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
    } while (opened < 0 && errno == EINTR);
    if (opened < 0) return failure("open", path, errno);
    struct stat status {};
    if (::fstat(opened, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(opened);
        return "cannot open " + path.string() + ": not a regular file";
    }
    ::fcntl(opened, F_SETFL, ::fcntl(opened, F_GETFL) & ~O_NONBLOCK);
    fd = opened;
    return {};
}

std::string remove_as_user(const std::filesystem::path& path, const FileIdentity& user) {
    UserFileIdentity identity(user);
    if (!identity.error().empty()) return identity.error();
    // unlink removes a symbolic link itself, never what it points to.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return failure("remove", path, errno);
    return {};
}

std::string append_as_user(const std::filesystem::path& path, std::string_view text,
                           const FileIdentity& user) {
    int fd = -1;
    std::string error = open_as_user(path, O_WRONLY | O_APPEND, 0, user, fd);
    if (!error.empty()) return error;
    return write_and_close(fd, text, path);
}

std::string write_as_user(const std::filesystem::path& path, std::string_view text,
                          const FileIdentity& user) {
    int fd = -1;
    std::string error = open_as_user(path, O_WRONLY | O_CREAT | O_TRUNC, 0644, user, fd);
    if (!error.empty()) return error;
    return write_and_close(fd, text, path);
}

std::string open_as_user(const std::filesystem::path& path, int flags, mode_t mode, uid_t uid, gid_t gid,
                         int& fd) {
    return open_as_user(path, flags, mode, file_identity(uid, gid), fd);
}

std::string remove_as_user(const std::filesystem::path& path, uid_t uid, gid_t gid) {
    return remove_as_user(path, file_identity(uid, gid));
}

std::string append_as_user(const std::filesystem::path& path, std::string_view text, uid_t uid, gid_t gid) {
    return append_as_user(path, text, file_identity(uid, gid));
}

std::string write_as_user(const std::filesystem::path& path, std::string_view text, uid_t uid, gid_t gid) {
    return write_as_user(path, text, file_identity(uid, gid));
}

}  // namespace lobos
