// A shared library for LD_PRELOAD that makes the file system under a cluster
// root fail, so that a test can prove the daemons live through it. While the
// file named by LOBOS_FAULT_CONTROL exists and names a fault, the libc calls
// of the atomic-file and lease layer fail on paths under LOBOS_FAULT_ROOT, and
// on the descriptors opened there, as a sick or network file system fails:
//   ESTALE, EIO, ENOSPC, ETIMEDOUT, EINTR  every such call fails with that errno;
//   replaced  a file's first read succeeds, later reads of the same open file
//             fail with ESTALE, as NFS says when the file was renamed over.
// The first failure of each kind in a process is reported on its standard
// error ("lobos-fault-injection: ESTALE openat /root/x"), so the test can see
// that the fault reached the daemon. Without the two variables nothing fails.

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

enum Fault : int { none = 0, estale, eio, enospc, etimedout, eintr, replaced, fault_count };
constexpr const char* fault_names[fault_count] = {"",          "ESTALE", "EIO",     "ENOSPC",
                                                  "ETIMEDOUT", "EINTR",  "replaced"};
constexpr int fault_errno[fault_count] = {0, ESTALE, EIO, ENOSPC, ETIMEDOUT, EINTR, ESTALE};

// Descriptors opened under the root: 1 opened there, 2 read once since (for `replaced`).
constexpr int max_fd = 1 << 16;
std::atomic<unsigned char> fd_state[max_fd];
std::atomic<bool> reported[fault_count];

// The control file is read again at most every 20 ms: a fault starts and stops within that.
std::atomic<int> current{none};
std::atomic<long long> checked_at_ns{-1};

const char* root() {
    static const char* value = std::getenv("LOBOS_FAULT_ROOT");
    return value && *value ? value : nullptr;
}

long long monotonic_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// Reads the control file with system calls of its own, so that it never passes through the wrappers.
Fault read_control() {
    static const char* control = std::getenv("LOBOS_FAULT_CONTROL");
    if (!control || !*control || !root()) return none;
    const int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC));
    if (fd < 0) return none;
    char text[32] = {};
    const long got = syscall(SYS_read, fd, text, sizeof text - 1);
    syscall(SYS_close, fd);
    if (got <= 0) return none;
    for (long i = 0; i < got; ++i)
        if (text[i] == '\n' || text[i] == ' ') text[i] = '\0';
    for (int f = 1; f < fault_count; ++f)
        if (std::strcmp(text, fault_names[f]) == 0) return static_cast<Fault>(f);
    return none;
}

Fault active() {
    const long long now = monotonic_ns();
    const long long last = checked_at_ns.load(std::memory_order_relaxed);
    if (last < 0 || now - last > 20'000'000LL) {
        checked_at_ns.store(now, std::memory_order_relaxed);
        current.store(read_control(), std::memory_order_relaxed);
    }
    return static_cast<Fault>(current.load(std::memory_order_relaxed));
}

bool under_root(const char* path) {
    const char* r = root();
    if (!r || !path) return false;
    const size_t n = std::strlen(r);
    return std::strncmp(path, r, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

bool tracked(int fd) { return fd >= 0 && fd < max_fd && fd_state[fd].load() != 0; }

void report(Fault f, const char* call, const char* path) {
    if (reported[f].exchange(true)) return;
    char line[512];
    const int n = std::snprintf(line, sizeof line, "lobos-fault-injection: %s %s %s\n", fault_names[f], call,
                                path ? path : "(descriptor under the root)");
    if (n > 0) syscall(SYS_write, 2, line, static_cast<size_t>(n < 512 ? n : 511));
}

// The fault to inject into a call on a path or a tracked descriptor, or none.
// `replaced` makes only reads fail (see read below).
Fault fault_for(bool concerned, const char* call, const char* path) {
    if (!concerned) return none;
    const Fault f = active();
    if (f == none || f == replaced) return none;
    report(f, call, path);
    return f;
}

int fail(Fault f) {
    errno = fault_errno[f];
    return -1;
}

template <class Function>
Function next(const char* name) {
    return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

int track_open(int fd, const char* path) {
    if (fd >= 0 && fd < max_fd) fd_state[fd].store(under_root(path) ? 1 : 0);
    return fd;
}

mode_t mode_argument(int flags, va_list& args) {
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? static_cast<mode_t>(va_arg(args, int)) : 0;
}

}  // namespace

extern "C" {

int open(const char* path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    const mode_t mode = mode_argument(flags, args);
    va_end(args);
    if (Fault f = fault_for(under_root(path), "open", path)) return fail(f);
    static auto real = next<int (*)(const char*, int, ...)>("open");
    return track_open(real(path, flags, mode), path);
}

int open64(const char* path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    const mode_t mode = mode_argument(flags, args);
    va_end(args);
    if (Fault f = fault_for(under_root(path), "open", path)) return fail(f);
    static auto real = next<int (*)(const char*, int, ...)>("open64");
    return track_open(real(path, flags, mode), path);
}

namespace {

// openat and openat64 differ only in which real function they call.
int open_at(const char* real_name, int dir, const char* path, int flags, mode_t mode) {
    const bool concerned = under_root(path) || (path[0] != '/' && tracked(dir));
    if (Fault f = fault_for(concerned, "openat", path)) return fail(f);
    using OpenAt = int (*)(int, const char*, int, ...);
    static auto real_openat = next<OpenAt>("openat");
    static auto real_openat64 = next<OpenAt>("openat64");
    const OpenAt real = std::string_view(real_name) == "openat64" ? real_openat64 : real_openat;
    const int fd = real(dir, path, flags, mode);
    if (fd >= 0 && fd < max_fd) fd_state[fd].store(concerned ? 1 : 0);
    return fd;
}

}  // namespace

int openat(int dir, const char* path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    const mode_t mode = mode_argument(flags, args);
    va_end(args);
    return open_at("openat", dir, path, flags, mode);
}

int openat64(int dir, const char* path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    const mode_t mode = mode_argument(flags, args);
    va_end(args);
    return open_at("openat64", dir, path, flags, mode);
}

int close(int fd) {
    static auto real = next<int (*)(int)>("close");
    const bool concerned = tracked(fd);
    if (fd >= 0 && fd < max_fd) fd_state[fd].store(0);
    const int rc = real(fd);
    // The descriptor is gone either way; a network file system reports a lost write here.
    // EINTR is not injected: a caller that retried close could close someone else's descriptor.
    if (rc == 0 && concerned) {
        const Fault f = active();
        if (f != none && f != replaced && f != eintr) {
            report(f, "close", nullptr);
            return fail(f);
        }
    }
    return rc;
}

ssize_t read(int fd, void* buffer, size_t size) {
    static auto real = next<ssize_t (*)(int, void*, size_t)>("read");
    if (tracked(fd)) {
        const Fault f = active();
        if (f == replaced) {
            if (fd_state[fd].exchange(2) == 2) {
                report(f, "read", nullptr);
                return fail(f);
            }
        } else if (f != none) {
            report(f, "read", nullptr);
            return fail(f);
        }
    }
    return real(fd, buffer, size);
}

ssize_t pread(int fd, void* buffer, size_t size, off_t offset) {
    if (Fault f = fault_for(tracked(fd), "pread", nullptr)) return fail(f);
    static auto real = next<ssize_t (*)(int, void*, size_t, off_t)>("pread");
    return real(fd, buffer, size, offset);
}

ssize_t pread64(int fd, void* buffer, size_t size, off_t offset) {
    if (Fault f = fault_for(tracked(fd), "pread", nullptr)) return fail(f);
    static auto real = next<ssize_t (*)(int, void*, size_t, off_t)>("pread64");
    return real(fd, buffer, size, offset);
}

ssize_t write(int fd, const void* buffer, size_t size) {
    if (Fault f = fault_for(tracked(fd), "write", nullptr)) return fail(f);
    static auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
    return real(fd, buffer, size);
}

ssize_t pwrite(int fd, const void* buffer, size_t size, off_t offset) {
    if (Fault f = fault_for(tracked(fd), "pwrite", nullptr)) return fail(f);
    static auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
    return real(fd, buffer, size, offset);
}

ssize_t pwrite64(int fd, const void* buffer, size_t size, off_t offset) {
    if (Fault f = fault_for(tracked(fd), "pwrite", nullptr)) return fail(f);
    static auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite64");
    return real(fd, buffer, size, offset);
}

int fsync(int fd) {
    if (Fault f = fault_for(tracked(fd), "fsync", nullptr)) return fail(f);
    static auto real = next<int (*)(int)>("fsync");
    return real(fd);
}

int fdatasync(int fd) {
    if (Fault f = fault_for(tracked(fd), "fdatasync", nullptr)) return fail(f);
    static auto real = next<int (*)(int)>("fdatasync");
    return real(fd);
}

int syncfs(int fd) {
    if (Fault f = fault_for(tracked(fd), "syncfs", nullptr)) return fail(f);
    static auto real = next<int (*)(int)>("syncfs");
    return real(fd);
}

int fstat(int fd, struct stat* info) {
    if (Fault f = fault_for(tracked(fd), "fstat", nullptr)) return fail(f);
    static auto real = next<int (*)(int, struct stat*)>("fstat");
    return real(fd, info);
}

int fstat64(int fd, struct stat64* info) {
    if (Fault f = fault_for(tracked(fd), "fstat", nullptr)) return fail(f);
    static auto real = next<int (*)(int, struct stat64*)>("fstat64");
    return real(fd, info);
}

int ftruncate(int fd, off_t length) {
    if (Fault f = fault_for(tracked(fd), "ftruncate", nullptr)) return fail(f);
    static auto real = next<int (*)(int, off_t)>("ftruncate");
    return real(fd, length);
}

int flock(int fd, int operation) {
    if (Fault f = fault_for(tracked(fd), "flock", nullptr)) return fail(f);
    static auto real = next<int (*)(int, int)>("flock");
    return real(fd, operation);
}

int rename(const char* from, const char* to) {
    if (Fault f = fault_for(under_root(from) || under_root(to), "rename", to)) return fail(f);
    static auto real = next<int (*)(const char*, const char*)>("rename");
    return real(from, to);
}

int renameat(int from_dir, const char* from, int to_dir, const char* to) {
    if (Fault f = fault_for(under_root(from) || under_root(to), "renameat", to)) return fail(f);
    static auto real = next<int (*)(int, const char*, int, const char*)>("renameat");
    return real(from_dir, from, to_dir, to);
}

int renameat2(int from_dir, const char* from, int to_dir, const char* to, unsigned flags) {
    if (Fault f = fault_for(under_root(from) || under_root(to), "renameat2", to)) return fail(f);
    static auto real = next<int (*)(int, const char*, int, const char*, unsigned)>("renameat2");
    return real(from_dir, from, to_dir, to, flags);
}

int link(const char* from, const char* to) {
    if (Fault f = fault_for(under_root(from) || under_root(to), "link", to)) return fail(f);
    static auto real = next<int (*)(const char*, const char*)>("link");
    return real(from, to);
}

int linkat(int from_dir, const char* from, int to_dir, const char* to, int flags) {
    if (Fault f = fault_for(under_root(from) || under_root(to), "linkat", to)) return fail(f);
    static auto real = next<int (*)(int, const char*, int, const char*, int)>("linkat");
    return real(from_dir, from, to_dir, to, flags);
}

int unlink(const char* path) {
    if (Fault f = fault_for(under_root(path), "unlink", path)) return fail(f);
    static auto real = next<int (*)(const char*)>("unlink");
    return real(path);
}

int unlinkat(int dir, const char* path, int flags) {
    if (Fault f = fault_for(under_root(path), "unlinkat", path)) return fail(f);
    static auto real = next<int (*)(int, const char*, int)>("unlinkat");
    return real(dir, path, flags);
}

int mkdir(const char* path, mode_t mode) {
    if (Fault f = fault_for(under_root(path), "mkdir", path)) return fail(f);
    static auto real = next<int (*)(const char*, mode_t)>("mkdir");
    return real(path, mode);
}

}  // extern "C"
