#pragma once
// A program of the project running in the background for a test, its
// standard output and error going to a log file. Killed (SIGKILL) and reaped
// when the object goes, so a failing test leaves no process behind.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lobos::test {

class DaemonProcess {
public:
    DaemonProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);
    ~DaemonProcess();
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    bool running();
    // Waits up to `timeout` for the process to end; its exit code, or -signal.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    const std::filesystem::path& log() const { return log_; }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_;
};

// Waits for files in a directory to change instead of sleeping: the
// predicate is checked at once and again after every file inotify sees
// created, renamed into place or removed (and at least every `recheck`, for
// conditions that depend on time alone), until it holds or `timeout` passes.
// Appends do not wake it: the status files are always renamed into place,
// and a test that reacted within microseconds to an append made under the
// masters' lease lock would freeze a master while it holds the lock.
class DirectoryWatch {
public:
    explicit DirectoryWatch(const std::filesystem::path& dir);
    ~DirectoryWatch();
    DirectoryWatch(const DirectoryWatch&) = delete;
    DirectoryWatch& operator=(const DirectoryWatch&) = delete;

    template <class Predicate>
    bool wait_until(Predicate predicate, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds recheck = std::chrono::milliseconds(250)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            if (predicate()) return true;
            const auto left = deadline - std::chrono::steady_clock::now();
            if (left <= std::chrono::milliseconds(0)) return false;
            wait_for_change(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(left), recheck));
        }
    }

private:
    void wait_for_change(std::chrono::milliseconds timeout);
    int fd_ = -1;
};

}  // namespace lobos::test
