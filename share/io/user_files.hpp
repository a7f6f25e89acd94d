#pragma once
// File operations in places a user owns (a job's submit directory: ID.run,
// ID.log) done with that user's permissions. When this process runs as root,
// the calling thread takes the user's file system identity (setfsgid,
// setfsuid and the user's supplementary groups, for that thread only) for the
// one operation, so a user cannot make root create, truncate or remove
// anything the user could not; the last component of a path is never
// followed if it is a symbolic link. Not running as root, only the process's
// own user can be acted for.
//
// Every function returns an error in words ("cannot open
// /home/alice/x.log: Permission denied"), or an empty string on success;
// none throws.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lobos {

// Whom the operations act for: a user's uid, primary gid and groups. The
// groups come from the group database, which is read whole for every
// lookup: a process acting for one user several times looks them up once.
struct FileIdentity {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // the primary group and every group naming the user
};

// The identity of `uid` with primary group `gid`. The groups are looked up
// only when this process runs as root (otherwise it acts for itself alone
// and never changes groups); a uid with no entry has its primary group only.
FileIdentity file_identity(uid_t uid, gid_t gid);

// Removes the file; a file that is not there counts as removed.
std::string remove_as_user(const std::filesystem::path& path, const FileIdentity& user);
std::string remove_as_user(const std::filesystem::path& path, uid_t uid, gid_t gid);

// Appends `text` to an existing file (never creates it).
std::string append_as_user(const std::filesystem::path& path, std::string_view text,
                           const FileIdentity& user);
std::string append_as_user(const std::filesystem::path& path, std::string_view text, uid_t uid, gid_t gid);

// Creates the file, or empties an existing one, with `text` in it (mode 0644 less the umask).
std::string write_as_user(const std::filesystem::path& path, std::string_view text, const FileIdentity& user);
std::string write_as_user(const std::filesystem::path& path, std::string_view text, uid_t uid, gid_t gid);

// open(2) as the user, with O_NOFOLLOW and O_CLOEXEC added to `flags`; the
// descriptor goes to `fd` (-1 on failure).
std::string open_as_user(const std::filesystem::path& path, int flags, mode_t mode, const FileIdentity& user,
                         int& fd);
std::string open_as_user(const std::filesystem::path& path, int flags, mode_t mode, uid_t uid, gid_t gid,
                         int& fd);

}  // namespace lobos
