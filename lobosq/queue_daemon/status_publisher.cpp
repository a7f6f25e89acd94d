#include "lobosq/queue_daemon/status_publisher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <system_error>

#include "lobosq/queue_daemon/directory_entries.hpp"
#include "share/formats/job_status.hpp"
#include "share/formats/log_line.hpp"
#include "share/io/atomic_file.hpp"
#include "share/io/user_files.hpp"

namespace lobos {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto min_status_interval = 100ms;
// Answers nobody collected.
constexpr auto stale_answer = std::chrono::minutes(10);

}  // namespace

bool StatusPublisher::may_write() const {
    return std::chrono::steady_clock::now() - last_write_ >= min_status_interval;
}

void StatusPublisher::publish(const QueueReport& report) {
    changed_ = false;
    last_write_ = std::chrono::steady_clock::now();
    try {
        // Rebuilt every second from the records: readers need them whole, not synced.
        write_file_atomically(paths_.job_status(), format_job_status(report.status), 0644,
                              Durability::unsynced);
        write_file_atomically(paths_.job_detail(), format_job_detail(report.detail), 0644,
                              Durability::unsynced);
    } catch (const std::exception& e) {
        log_.limited(LogLevel::error, "job_status", e.what());
    }
    remove_stale_answers();
}

void StatusPublisher::remove_stale_answers() {
    std::error_code ec;
    for (const fs::directory_entry& entry : directory_entries(answers_dir_, ec)) {
        std::error_code time_ec;
        auto written = entry.last_write_time(time_ec);
        if (!time_ec && fs::file_time_type::clock::now() - written > stale_answer)
            fs::remove(entry.path(), time_ec);
    }
}

void StatusPublisher::log(JobTime at, const std::string& text) {
    // One write() per line on an O_APPEND descriptor: lines from two writers
    // (an old primary's last words) never interleave within a line.
    const std::string line = log_line(at, text) + "\n";
    int fd = ::open(paths_.job_log().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        log_.limited(LogLevel::error, "job.log",
                     "cannot append to " + paths_.job_log().string() + ": " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
}

void StatusPublisher::tell_owner(const Job& job, const std::string& text) {
    const fs::path dir = job.spec.dir;
    std::string error = append_as_user(dir / (job.spec.id + ".log"), text, job.spec.uid, job.spec.gid);
    if (!error.empty()) log_.warning(error);
    error = remove_as_user(dir / (job.spec.id + ".run"), job.spec.uid, job.spec.gid);
    if (!error.empty()) log_.warning(error);
}

}  // namespace lobos
