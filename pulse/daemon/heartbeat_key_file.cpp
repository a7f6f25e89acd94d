#include "pulse/daemon/heartbeat_key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "share/io/file_descriptor.hpp"

namespace lobos {
namespace {

// A key file is one short line; anything much longer is not one, and is not read into memory whole.
constexpr std::size_t max_key_file_bytes = 4096;
constexpr std::size_t new_key_bytes = 32;

std::string key_file_error(const std::filesystem::path& path, const std::string& what) {
    return "heartbeat key file " + path.string() + " " + what;
}

std::string system_error_text(int error) { return std::strerror(error); }

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// Wipes a buffer that held key material, whatever path the function takes out.
class WipedOnExit {
public:
    explicit WipedOnExit(std::string& text) : text_(text) {}
    ~WipedOnExit() { sodium_memzero(text_.data(), text_.size()); }
    WipedOnExit(const WipedOnExit&) = delete;
    WipedOnExit& operator=(const WipedOnExit&) = delete;

private:
    std::string& text_;
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::vector<std::uint8_t> parse_key_text(const std::filesystem::path& path, std::string_view text) {
    if (text.ends_with("\r\n"))
        text.remove_suffix(2);
    else if (text.ends_with('\n'))
        text.remove_suffix(1);
    if (text.empty())
        throw std::runtime_error(key_file_error(path, "is empty; create a key with `pulse --keygen`"));

    for (std::size_t i = 0; i < text.size(); ++i) {
        if (hex_value(text[i]) >= 0) continue;
        if (text[i] == '\n' || text[i] == '\r')
            throw std::runtime_error(
                key_file_error(path, "holds more than one line; a key file is one line of hex"));
        // Only the position is named: the rest of the line is key material, kept out of messages.
        throw std::runtime_error(key_file_error(path, "is malformed: character " + std::to_string(i + 1) +
                                                          " is not a hex digit (one line of hex)"));
    }
    if (text.size() % 2 != 0)
        throw std::runtime_error(key_file_error(
            path, "is malformed: an odd number of hex digits (" + std::to_string(text.size()) + ")"));

    std::vector<std::uint8_t> bytes(text.size() / 2);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(hex_value(text[2 * i]) * 16 + hex_value(text[2 * i + 1]));
    if (bytes.size() < min_heartbeat_key_bytes) {
        sodium_memzero(bytes.data(), bytes.size());
        throw std::runtime_error(
            key_file_error(path, "holds " + std::to_string(bytes.size()) + " bytes of key; at least " +
                                     std::to_string(min_heartbeat_key_bytes) + " (" +
                                     std::to_string(2 * min_heartbeat_key_bytes) +
                                     " hex digits) are needed; create a key with `pulse --keygen`"));
    }
    return bytes;
}

std::string read_key_file(const std::filesystem::path& path) {
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) {
        int error = errno;
        if (error == ENOENT)
            throw std::runtime_error(
                key_file_error(path, "does not exist; create one with `pulse --keygen`"));
        throw std::runtime_error(key_file_error(path, "cannot be read: " + system_error_text(error)));
    }
    // The checks look at the file that was opened, not at whatever the path names a moment later.
    struct stat info {};
    if (::fstat(file.get(), &info) != 0)
        throw std::runtime_error(key_file_error(path, "cannot be read: " + system_error_text(errno)));
    if (!S_ISREG(info.st_mode)) throw std::runtime_error(key_file_error(path, "is not a regular file"));
    if ((info.st_mode & 0007) != 0) {
        const char* how = (info.st_mode & 0004) != 0 ? "is readable by others" : "is accessible to others";
        throw std::runtime_error(key_file_error(
            path, std::string(how) + " (mode " + octal_mode(info.st_mode) + "); chmod 600 it"));
    }

    std::string text;
    char buffer[512];
    for (;;) {
        ssize_t got = ::read(file.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            int error = errno;
            sodium_memzero(text.data(), text.size());
            throw std::runtime_error(key_file_error(path, "cannot be read: " + system_error_text(error)));
        }
        if (got == 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
        sodium_memzero(buffer, sizeof buffer);
        if (text.size() > max_key_file_bytes) {
            sodium_memzero(text.data(), text.size());
            throw std::runtime_error(key_file_error(path, "is longer than " +
                                                              std::to_string(max_key_file_bytes) +
                                                              " bytes; a key file is one line of hex"));
        }
    }
    return text;
}

void write_all(int fd, std::string_view data, const std::filesystem::path& shown_path) {
    while (!data.empty()) {
        ssize_t wrote = ::write(fd, data.data(), data.size());
        if (wrote < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(
                key_file_error(shown_path, "cannot be written: " + system_error_text(errno)));
        }
        data.remove_prefix(static_cast<std::size_t>(wrote));
    }
}

// Removes the temporary file unless it was linked into place and removed already.
class TemporaryFile {
public:
    explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {}
    ~TemporaryFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    void forget() { path_.clear(); }

private:
    std::filesystem::path path_;
};

}  // namespace

HeartbeatKey load_heartbeat_key(const std::filesystem::path& path) {
    std::string text = read_key_file(path);
    WipedOnExit wipe_text(text);
    std::vector<std::uint8_t> bytes = parse_key_text(path, text);
    HeartbeatKey key = HeartbeatKey::from_bytes(bytes);
    sodium_memzero(bytes.data(), bytes.size());
    return key;
}

void write_new_heartbeat_key(const std::filesystem::path& path) {
    std::error_code ignored;
    if (std::filesystem::exists(std::filesystem::symlink_status(path, ignored)))
        throw std::runtime_error(key_file_error(path,
                                                "already exists; not overwritten (every host must hold the "
                                                "same key: remove it first to make a new one)"));

    std::uint8_t key[new_key_bytes];
    ensure_sodium();
    randombytes_buf(key, sizeof key);
    static const char digits[] = "0123456789abcdef";
    std::string text;
    WipedOnExit wipe_text(text);
    text.reserve(2 * sizeof key + 1);
    for (std::uint8_t b : key) {
        text += digits[b >> 4];
        text += digits[b & 0xF];
    }
    text += '\n';
    sodium_memzero(key, sizeof key);

    std::filesystem::path directory = path.parent_path().empty() ? "." : path.parent_path();
    TemporaryFile temporary(directory /
                            ("." + path.filename().string() + ".new-" + std::to_string(::getpid())));
    FileDescriptor file(::open(temporary.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (file.get() < 0) {
        int error = errno;
        temporary.forget();  // not ours: O_EXCL refused it, or it was never made
        throw std::runtime_error(key_file_error(
            path, "cannot be written: " + temporary.path().string() + ": " + system_error_text(error)));
    }
    // The umask can only take bits away from 0600; set it outright so the file is exactly what load wants.
    if (::fchmod(file.get(), 0600) != 0)
        throw std::runtime_error(key_file_error(path, "cannot be written: " + system_error_text(errno)));
    write_all(file.get(), text, path);
    if (::fsync(file.get()) != 0 || file.close() != 0)
        throw std::runtime_error(key_file_error(path, "cannot be written: " + system_error_text(errno)));

    // link() is the rename that refuses to replace: it fails if a key appeared meanwhile, and it works on
    // NFS, where the configuration directory usually lives.
    if (::link(temporary.path().c_str(), path.c_str()) != 0) {
        int error = errno;
        if (error == EEXIST)
            throw std::runtime_error(key_file_error(path, "already exists; not overwritten"));
        throw std::runtime_error(key_file_error(path, "cannot be written: " + system_error_text(error)));
    }
    ::unlink(temporary.path().c_str());
    temporary.forget();
    FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) ::fsync(dir.get());  // best effort: some file systems refuse fsync on a directory
}

}  // namespace lobos
