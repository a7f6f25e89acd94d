#include "lobosq/runner/job_report_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include "share/io/atomic_file.hpp"

namespace lobos {
namespace {

[[noreturn]] void fail(int error, const std::string& what, const std::filesystem::path& path) {
    throw std::system_error(error, std::system_category(), what + " " + path.string());
}

}  // namespace

bool create_job_report(const std::filesystem::path& path, const JobReport& report) {
    // Of two runners only one creates ID.state (create_file_once links it into place).
    return create_file_once(path, encode_job_report(report));
}

void append_job_report(const std::filesystem::path& path, const JobReport& report) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT) fail(errno, "cannot open", path);
            if (create_job_report(path, report)) return;
            continue;  // created meanwhile by another writer: append to that
        }
        const bool written = write_whole(fd, encode_job_report(report));
        const int write_error = errno;
        if (::close(fd) != 0 && written) fail(errno, "cannot write", path);
        if (!written) fail(write_error, "cannot write", path);
        return;
    }
    fail(ENOENT, "cannot append to", path);
}

bool append_job_report_until_written(const std::filesystem::path& path, const JobReport& report,
                                     const std::function<void(const std::string&)>& complain,
                                     std::chrono::seconds patience) {
    using Clock = std::chrono::steady_clock;
    const auto give_up = Clock::now() + patience;
    auto pause = std::chrono::milliseconds(100);
    auto next_complaint = Clock::now();
    for (;;) {
        try {
            append_job_report(path, report);
            return true;
        } catch (const std::exception& e) {
            if (Clock::now() >= next_complaint) {
                complain(std::string(e.what()) + " (trying again until it is written)");
                next_complaint = Clock::now() + std::chrono::minutes(1);
            }
        }
        if (Clock::now() >= give_up) return false;
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds(5));
    }
}

}  // namespace lobos
