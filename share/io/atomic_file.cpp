#include "share/io/atomic_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <system_error>

#include "share/io/file_descriptor.hpp"

namespace lobos {

namespace {

FileError failure(int error, const std::string& what, const std::filesystem::path& path) {
    return FileError{std::error_code(error, std::system_category()), what + " " + path.string()};
}

// open() again after EINTR (an interrupted open on a network file system).
int open_retrying(const char* path, int flags, unsigned mode = 0) {
    for (int attempt = 0;; ++attempt) {
        const int fd = ::open(path, flags, mode);
        if (fd >= 0 || errno != EINTR || attempt == 100) return fd;
    }
}

int fsync_retrying(int fd) {
    for (int attempt = 0;; ++attempt) {
        const int result = ::fsync(fd);
        if (result == 0 || errno != EINTR || attempt == 100) return result;
    }
}

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

// Makes the rename itself durable.
FileResult<Done> sync_directory(const std::filesystem::path& directory, const std::filesystem::path& path) {
    FileDescriptor fd(
        open_retrying(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return failure(errno, "cannot open the directory of", path);
    // Some file systems cannot sync a directory at all; the rename has
    // happened and there is nothing better to do there.
    if (fsync_retrying(fd.get()) != 0 && errno != EINVAL && errno != ENOTSUP)
        return failure(errno, "cannot sync the directory of", path);
    return Done{};
}

FileResult<std::optional<std::string>> read_once(const std::filesystem::path& path) {
    FileDescriptor fd(open_retrying(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::optional<std::string>();
        return failure(errno, "cannot open", path);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return failure(errno, "cannot read", path);
    if (S_ISDIR(info.st_mode)) return failure(EISDIR, "cannot read", path);

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
            return failure(errno, "cannot read", path);
        }
        contents.resize(used + static_cast<std::size_t>(got));
        if (got == 0) break;
        chunk = 4096 + used;  // grow geometrically when the hint was wrong
    }
    return std::optional<std::string>(std::move(contents));
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

namespace {

// This host's name, read once, as it may stand in a file name: a character
// other than a letter, digit, '-' or '_' (a '/' could only come from a
// misconfigured host, a '.' would blur the name's parts) becomes '_'; at
// most 64 characters are kept.
const std::string& host_for_file_names() {
    static const std::string host = [] {
        char buf[256] = {};
        if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return std::string("unknown-host");
        // Long enough to tell hosts apart, short enough to leave room for the file's own name.
        std::string name(buf, std::min<std::size_t>(std::char_traits<char>::length(buf), 64));
        for (char& c : name) {
            const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                               c == '-' || c == '_';
            if (!plain) c = '_';
        }
        return name;
    }();
    return host;
}

}  // namespace

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    std::string name = "." + path.filename().string() + ".tmp." + host_for_file_names() + "." +
                       std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
    return path.parent_path() / name;
}

FileResult<StagedFile> StagedFile::stage(std::filesystem::path target, std::string_view contents,
                                         unsigned mode, Durability durability) {
    if (target.filename().empty()) return failure(EISDIR, "cannot write", target);
    TemporaryFile temporary(temporary_path_for(target));
    FileDescriptor fd(open_retrying(temporary.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0) return failure(errno, "cannot create a temporary file to write", target);
    if (!write_whole(fd.get(), contents)) return failure(errno, "cannot write", target);
    if (durability == Durability::synced && fsync_retrying(fd.get()) != 0)
        return failure(errno, "cannot sync", target);
    if (int error = fd.close()) return failure(error, "cannot write", target);
    temporary.renamed();  // from here on the StagedFile owns the temporary file
    return StagedFile(Staged{}, std::move(target), temporary.path());
}

StagedFile::StagedFile(Staged, std::filesystem::path target, std::filesystem::path temporary)
    : target_(std::move(target)), temporary_(std::move(temporary)) {}

StagedFile::StagedFile(std::filesystem::path target, std::string_view contents, unsigned mode,
                       Durability durability) {
    FileResult<StagedFile> staged = stage(std::move(target), contents, mode, durability);
    if (!staged) staged.error().raise();
    target_ = std::move(staged->target_);
    temporary_ = std::move(staged->temporary_);
    staged->published_ = true;  // the temporary file is this object's now
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

FileResult<Done> StagedFile::try_publish() {
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) return failure(errno, "cannot replace", target_);
    published_ = true;
    return Done{};
}

void StagedFile::publish() {
    if (auto done = try_publish(); !done) done.error().raise();
}

FileResult<Done> try_sync_parent_directory(const std::filesystem::path& path) {
    return sync_directory(path.parent_path(), path);
}

void sync_parent_directory(const std::filesystem::path& path) {
    if (auto done = try_sync_parent_directory(path); !done) done.error().raise();
}

FileResult<Done> try_write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                                           unsigned mode, Durability durability) {
    FileResult<StagedFile> staged = StagedFile::stage(path, contents, mode, durability);
    if (!staged) return staged.error();
    if (auto done = staged->try_publish(); !done) return done;
    if (durability == Durability::synced) return sync_directory(path.parent_path(), path);
    return Done{};
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents, unsigned mode,
                           Durability durability) {
    if (auto done = try_write_file_atomically(path, contents, mode, durability); !done) done.error().raise();
}

FileResult<Done> try_sync_file_system(const std::filesystem::path& path) {
    FileDescriptor fd(open_retrying(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return failure(errno, "cannot open", path);
    if (::syncfs(fd.get()) != 0) return failure(errno, "cannot sync the file system of", path);
    return Done{};
}

void sync_file_system(const std::filesystem::path& path) {
    if (auto done = try_sync_file_system(path); !done) done.error().raise();
}

FileResult<std::optional<std::string>> try_read_file_if_exists(const std::filesystem::path& path) {
    // On a network file system a file renamed over while it is read gives
    // ESTALE; the new file is there to be read.
    for (int attempt = 0;; ++attempt) {
        auto contents = read_once(path);
        if (contents || contents.error().code.value() != ESTALE || attempt == 2) return contents;
    }
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path) {
    auto contents = try_read_file_if_exists(path);
    if (!contents) contents.error().raise();
    return std::move(*contents);
}

bool create_file_once(const std::filesystem::path& path, std::string_view contents, unsigned mode) {
    const std::filesystem::path temporary = temporary_path_for(path);
    FileDescriptor fd(open_retrying(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd)
        throw std::system_error(errno, std::system_category(),
                                "cannot create a temporary file for " + path.string());
    const bool written = write_whole(fd.get(), contents);
    const int write_error = errno;
    const int close_error = fd.close();
    if (close_error != 0 || !written) {
        const int error = written ? close_error : write_error;
        ::unlink(temporary.c_str());
        throw std::system_error(error, std::system_category(), "cannot write " + path.string());
    }
    const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
    const int link_error = errno;
    ::unlink(temporary.c_str());
    if (linked) return true;
    if (link_error == EEXIST) return false;
    throw std::system_error(link_error, std::system_category(), "cannot create " + path.string());
}

}  // namespace lobos
