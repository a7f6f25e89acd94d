#pragma once
// Whole-file writes that readers see either entirely or not at all: the
// status files (node_status, job_status, the detail files) are rewritten
// every few seconds while lobosq and webstatus read them.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace lobos {

// A failed file operation, as a value: daemons log it (at a limited rate) and
// try again later, because no I/O error may end a daemon. `action` names the
// file ("cannot write /root/node_status"); text() adds the reason.
struct FileError {
    std::error_code code;
    std::string action;

    std::string text() const { return action + ": " + code.message(); }
    // The same failure as the throwing functions below report it.
    [[noreturn]] void raise() const { throw std::system_error(code, action); }
};

// The value of a file operation or its error.
template <class T>
class FileResult {
public:
    FileResult(T value) : value_(std::move(value)) {}
    FileResult(FileError error) : error_(std::move(error)) {}

    bool ok() const { return !error_; }
    explicit operator bool() const { return ok(); }
    T& value() { return *value_; }
    const T& value() const { return *value_; }
    T& operator*() { return *value_; }
    T* operator->() { return &*value_; }
    const FileError& error() const { return *error_; }

private:
    std::optional<T> value_;
    std::optional<FileError> error_;
};

// The value of an operation that has none but success.
struct Done {};

// Whether a replaced file must survive a crash of the machine (fsync of the
// file and its directory), or only be seen whole by readers. Files that are
// rewritten often and rebuilt from other state after a crash (status files,
// a runner's reports) need not pay for the sync; a batch of records can be
// made durable at once with sync_file_system().
enum class Durability { synced, unsynced };

// Writes all of `text` to `fd`, again after EINTR and short writes; false
// with errno set when a write fails.
bool write_whole(int fd, std::string_view text);

// A dot-file beside `path` named after it, this host, this process and a
// counter (".node_status.tmp.master1.4242.7"), so two writers never share
// one, even on two hosts writing one directory over a network file system
// (where their pids may well be equal); readers of the directory pass over
// dot-files.
std::filesystem::path temporary_path_for(const std::filesystem::path& path);

// Replaces `path` with `contents`: writes a temporary file in the same
// directory (named after the target, this process and a counter, so two
// writers never share one), fsyncs it, renames it over `path` and fsyncs the
// directory, so after a crash the file is either the old or the new version.
// The new file has `mode` (0666 unless said) less the umask. Throws
// std::system_error naming `path` on failure, after removing the temporary file.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents, unsigned mode = 0666,
                           Durability durability = Durability::synced);
// The same without throwing, for daemons: the error as a value.
FileResult<Done> try_write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                                           unsigned mode = 0666, Durability durability = Durability::synced);

// Creates `path` with `contents` only if no file has that name: written to
// a temporary file and linked into place, so a reader on any host sees the
// whole file or none, and of two writers (on any hosts) exactly one creates
// it. link, unlike rename, never replaces, and it is atomic on NFS and
// GlusterFS alike. True when this call created it, false when it existed;
// not synced. Throws std::system_error naming `path`.
bool create_file_once(const std::filesystem::path& path, std::string_view contents, unsigned mode = 0666);

// The same write in two steps, for files published under a lock: the slow
// part (writing and syncing a temporary file) happens when the StagedFile is
// made, the fast part (the rename) in publish(). A StagedFile never
// published removes its temporary file.
class StagedFile {
public:
    StagedFile(std::filesystem::path target, std::string_view contents, unsigned mode = 0666,
               Durability durability = Durability::synced);
    // The same without throwing.
    static FileResult<StagedFile> stage(std::filesystem::path target, std::string_view contents,
                                        unsigned mode = 0666, Durability durability = Durability::synced);
    ~StagedFile();
    StagedFile(StagedFile&& other) noexcept;
    StagedFile& operator=(StagedFile&&) = delete;
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    // Renames the temporary file over the target. Throws std::system_error naming the target.
    void publish();
    FileResult<Done> try_publish();
    const std::filesystem::path& target() const { return target_; }

private:
    struct Staged {};  // a temporary file already written
    StagedFile(Staged, std::filesystem::path target, std::filesystem::path temporary);

    std::filesystem::path target_;
    std::filesystem::path temporary_;
    bool published_ = false;
};

// Makes renames in the directory of `path` durable.
void sync_parent_directory(const std::filesystem::path& path);
FileResult<Done> try_sync_parent_directory(const std::filesystem::path& path);

// Makes everything written to the file system holding `path` durable: one
// syncfs for a whole batch of unsynced files (and whatever else is dirty
// there). Throws std::system_error naming `path`.
void sync_file_system(const std::filesystem::path& path);
FileResult<Done> try_sync_file_system(const std::filesystem::path& path);

// The whole contents of `path`, or nullopt when it does not exist. Throws
// std::system_error naming `path` when it exists but cannot be read.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);
// The same without throwing: a file replaced while read is read again once.
FileResult<std::optional<std::string>> try_read_file_if_exists(const std::filesystem::path& path);

}  // namespace lobos
