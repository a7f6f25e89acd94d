#pragma once
// The one owner of a file descriptor: closed when it goes out of scope, on
// every path out of a function, and movable so that it can be returned.

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace lobos {

class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            if (fd_ >= 0) ::close(fd_);
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

    // Closes now and returns close()'s errno (0 on success): on a network
    // file system a failed write may only be reported here.
    int close() {
        if (fd_ < 0) return 0;
        const int error = ::close(fd_) == 0 ? 0 : errno;
        fd_ = -1;
        return error;
    }

private:
    int fd_ = -1;
};

}  // namespace lobos
