#include "share/io/atomic_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <system_error>

namespace lobos {

namespace {

[[noreturn]] void fail(int error, const std::string& what, const std::filesystem::path& path) {
    throw std::system_error(error, std::system_category(), what + " " + path.string());
}

// Closes a descriptor when it goes out of scope on an error path.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    // Closes now, returning close()'s errno (0 on success): on NFS a failed
    // write may only be reported here.
    int close() {
        int error = ::close(fd_) == 0 ? 0 : errno;
        fd_ = -1;
        return error;
    }

private:
    int fd_;
};

// Removes the temporary file unless it was renamed into place.
class TemporaryFile {
public:
    explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {}
    ~TemporaryFile() {
        if (!renamed_) ::unlink(path_.c_str());
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    void renamed() { renamed_ = true; }

private:
    std::filesystem::path path_;
    bool renamed_ = false;
};

void write_all(int fd, std::string_view contents, const std::filesystem::path& path) {
    if (!write_whole(fd, contents)) fail(errno, "cannot write", path);
}

// Makes the rename itself durable.
void sync_directory(const std::filesystem::path& directory, const std::filesystem::path& path) {
    FileDescriptor fd(
        ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) fail(errno, "cannot open the directory of", path);
    // Some file systems cannot sync a directory at all; the rename has
    // happened and there is nothing better to do there.
    if (::fsync(fd.get()) != 0 && errno != EINVAL && errno != ENOTSUP)
        fail(errno, "cannot sync the directory of", path);
}

}  // namespace

bool write_whole(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    std::string name = "." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                       std::to_string(counter.fetch_add(1));
    return path.parent_path() / name;
}

StagedFile::StagedFile(std::filesystem::path target, std::string_view contents, unsigned mode,
                       Durability durability)
    : target_(std::move(target)) {
    if (target_.filename().empty()) fail(EISDIR, "cannot write", target_);
    TemporaryFile temporary(temporary_path_for(target_));
    FileDescriptor fd(::open(temporary.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0) fail(errno, "cannot create a temporary file to write", target_);
    write_all(fd.get(), contents, target_);
    if (durability == Durability::synced && ::fsync(fd.get()) != 0) fail(errno, "cannot sync", target_);
    if (int error = fd.close()) fail(error, "cannot write", target_);
    temporary_ = temporary.path();
    temporary.renamed();  // from here on this object owns the temporary file
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : target_(std::move(other.target_)),
      temporary_(std::move(other.temporary_)),
      published_(other.published_) {
    other.published_ = true;
}

StagedFile::~StagedFile() {
    if (!published_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

void StagedFile::publish() {
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail(errno, "cannot replace", target_);
    published_ = true;
}

void sync_parent_directory(const std::filesystem::path& path) { sync_directory(path.parent_path(), path); }

void write_file_atomically(const std::filesystem::path& path, std::string_view contents, unsigned mode,
                           Durability durability) {
    StagedFile staged(path, contents, mode, durability);
    staged.publish();
    if (durability == Durability::synced) sync_directory(path.parent_path(), path);
}

void sync_file_system(const std::filesystem::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail(errno, "cannot open", path);
    if (::syncfs(fd.get()) != 0) fail(errno, "cannot sync the file system of", path);
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::nullopt;
        fail(errno, "cannot open", path);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) fail(errno, "cannot read", path);
    if (S_ISDIR(info.st_mode)) fail(EISDIR, "cannot read", path);

    // The size is a hint only: /proc files say 0, and a file may grow while read.
    std::string contents;
    std::size_t chunk = std::max<std::size_t>(static_cast<std::size_t>(info.st_size) + 1, 4096);
    for (;;) {
        std::size_t used = contents.size();
        contents.resize(used + chunk);
        ssize_t got = ::read(fd.get(), contents.data() + used, chunk);
        if (got < 0) {
            contents.resize(used);
            if (errno == EINTR) continue;
            fail(errno, "cannot read", path);
        }
        contents.resize(used + static_cast<std::size_t>(got));
        if (got == 0) break;
        chunk = 4096 + used;  // grow geometrically when the hint was wrong
    }
    return contents;
}

}  // namespace lobos
