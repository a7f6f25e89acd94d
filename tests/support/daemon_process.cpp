#include "tests/support/daemon_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace lobos::test {

DaemonProcess::DaemonProcess(const std::vector<std::string>& argv, const std::filesystem::path& log)
    : log_(log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

DaemonProcess::~DaemonProcess() {
    if (status_ || pid_ <= 0) return;
    ::kill(pid_, SIGCONT);  // a stopped process must run to die
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
}

void DaemonProcess::signal(int sig) const {
    if (!status_) ::kill(pid_, sig);
}

bool DaemonProcess::running() {
    if (status_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        return false;
    }
    return true;
}

std::optional<int> DaemonProcess::wait(std::chrono::milliseconds timeout) {
    if (!running()) return status_;
    // A pidfd becomes readable when the process ends: wait on it, bounded.
    // glibc 2.36's <sys/pidfd.h> lacks extern "C", so the system call is made directly.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
        pollfd p{pidfd, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(timeout.count()));
        ::close(pidfd);
    }
    running();
    return status_;
}

DirectoryWatch::DirectoryWatch(const std::filesystem::path& dir) {
    fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd_ < 0) throw std::runtime_error(std::string("inotify_init1: ") + std::strerror(errno));
    if (inotify_add_watch(fd_, dir.c_str(), IN_MOVED_TO | IN_CREATE | IN_DELETE) < 0)
        throw std::runtime_error("cannot watch " + dir.string() + ": " + std::strerror(errno));
}

DirectoryWatch::~DirectoryWatch() {
    if (fd_ >= 0) ::close(fd_);
}

void DirectoryWatch::wait_for_change(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) {
        char buf[4096];
        while (::read(fd_, buf, sizeof buf) > 0) {
        }
    }
}

}  // namespace lobos::test
