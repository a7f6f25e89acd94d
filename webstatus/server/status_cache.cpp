#include "webstatus/server/status_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lobos::web {

namespace {

using FileKey = StatusCache::FileKey;

FileKey key_of(const struct stat& st) {
    return FileKey{st.st_dev, st.st_ino, st.st_size,
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

WallTime mtime_of(const FileKey& key) {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(key.mtime_ns)));
}

// A file's contents from `offset` on, with the key of what was read (from
// the open descriptor, so the two always belong together).
struct FileRead {
    bool exists = false;
    std::string error;  // set when it exists but could not be read
    FileKey key;
    std::string text;
};

FileRead read_from(const std::filesystem::path& path, off_t offset) {
    FileRead read;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT) {
            read.exists = true;
            read.error = std::string("cannot open: ") + std::strerror(errno);
        }
        return read;
    }
    read.exists = true;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        read.error = "not a regular file";
        ::close(fd);
        return read;
    }
    read.key = key_of(st);
    if (offset < st.st_size) {
        read.text.resize(static_cast<std::size_t>(st.st_size - offset));
        std::size_t done = 0;
        while (done < read.text.size()) {
            const ssize_t n = ::pread(fd, read.text.data() + done, read.text.size() - done,
                                      offset + static_cast<off_t>(done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // the file shrank under us: what was read is what there is
            done += static_cast<std::size_t>(n);
        }
        read.text.resize(done);
    }
    ::close(fd);
    return read;
}

template <class T>
struct Parsed {
    std::optional<T> value;
    std::string problem;  // with a value: a warning; without: why there is none
};

Parsed<NodeStatus> parse_node_status_text(const std::string& text) {
    Parsed<NodeStatus> p;
    NodeStatusRead read = parse_node_status(text, std::chrono::system_clock::now());
    if (read.status.nodes.empty() && read.status.links.empty()) {
        p.problem = "no node or link lines";
        return p;
    }
    if (read.skipped_lines > 0)
        p.problem = std::to_string(read.skipped_lines) + " line(s) did not parse and were skipped";
    p.value = std::move(read.status);
    return p;
}

Parsed<NodeDetailFile> parse_node_detail_text(const std::string& text) {
    Parsed<NodeDetailFile> p;
    NodeDetailRead read = parse_node_detail(text);
    if (read.detail)
        p.value = std::move(*read.detail);
    else
        p.problem = "does not parse: " + read.error;
    return p;
}

Parsed<JobStatus> parse_job_status_text(const std::string& text) {
    Parsed<JobStatus> p;
    if (text.find("Job Status") == std::string::npos) {
        p.problem = "no '# Job Status' header";
        return p;
    }
    JobStatusRead read = parse_job_status(text);
    if (read.skipped_lines > 0)
        p.problem = std::to_string(read.skipped_lines) + " line(s) did not parse and were skipped";
    p.value = std::move(read.status);
    return p;
}

Parsed<JobDetail> parse_job_detail_text(const std::string& text) {
    Parsed<JobDetail> p;
    std::string error;
    p.value = parse_job_detail(text, error);
    if (!p.value) p.problem = "does not parse: " + error;
    return p;
}

// Brings one whole-file status file up to date; true when the snapshot changed.
template <class T, class Parse>
bool update_file(const std::filesystem::path& path, std::optional<FileKey>& key, FileReport& report,
                 std::shared_ptr<const T>& held, Parse parse) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (!key && !report.present && !report.problem.empty()) return false;  // still missing
        key.reset();
        report.present = false;
        report.problem = errno == ENOENT ? "missing" : std::string("cannot stat: ") + std::strerror(errno);
        if (report.has_data) report.problem += " (showing the copy read before)";
        return true;
    }
    if (key && *key == key_of(st)) return false;

    FileRead read = read_from(path, 0);
    report.present = read.exists;
    if (!read.exists || !read.error.empty()) {
        key.reset();
        report.problem = read.exists ? read.error : "missing";
        if (report.has_data) report.problem += " (showing the copy read before)";
        return true;
    }
    key = read.key;
    report.modified = mtime_of(read.key);
    Parsed<T> parsed = parse(read.text);
    report.problem = parsed.problem;
    if (parsed.value) {
        held = std::make_shared<const T>(std::move(*parsed.value));
        report.has_data = true;
    } else if (report.has_data) {
        report.problem += " (showing the copy read before)";
    }
    return true;
}

}  // namespace

StatusCache::StatusCache(ClusterPaths paths, std::shared_ptr<const ClusterView> cluster,
                         std::chrono::milliseconds recheck)
    : paths_(std::move(paths)), recheck_(recheck) {
    auto first = std::make_shared<StatusSnapshot>();
    first->cluster = std::move(cluster);
    snapshot_ = std::move(first);
    refresh_locked();
}

std::shared_ptr<const StatusSnapshot> StatusCache::current() {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - last_look_ >= recheck_) refresh_locked();
    return snapshot_;
}

std::shared_ptr<const StatusSnapshot> StatusCache::refresh() {
    std::lock_guard lock(mutex_);
    refresh_locked();
    return snapshot_;
}

void StatusCache::refresh_locked() {
    last_look_ = std::chrono::steady_clock::now();
    auto next = std::make_shared<StatusSnapshot>(*snapshot_);
    bool changed = false;
    changed |= update_file(paths_.node_status(), node_status_key_, next->node_status_file, next->node_status,
                           parse_node_status_text);
    changed |= update_file(paths_.node_detail(), node_detail_key_, next->node_detail_file, next->node_detail,
                           parse_node_detail_text);
    changed |= update_file(paths_.job_status(), job_status_key_, next->job_status_file, next->job_status,
                           parse_job_status_text);
    changed |= update_file(paths_.job_detail(), job_detail_key_, next->job_detail_file, next->job_detail,
                           parse_job_detail_text);

    // job.log: read what was appended since the last look; from the start
    // when it was replaced or truncated.
    FileReport& log = next->job_log_file;
    struct stat st {};
    if (::stat(paths_.job_log().c_str(), &st) != 0) {
        // No job.log yet is normal before the first job: not a problem worth a warning.
        std::string problem = errno == ENOENT ? "" : std::string("cannot stat: ") + std::strerror(errno);
        if (log.present || job_log_key_ || log.problem != problem || next->generation == 0) {
            log.present = false;
            log.problem = std::move(problem);
            job_log_key_.reset();
            changed = true;
        }
    } else if (!job_log_key_ || !(*job_log_key_ == key_of(st))) {
        const bool appended = job_log_key_ && job_log_key_->device == static_cast<dev_t>(st.st_dev) &&
                              job_log_key_->inode == st.st_ino && job_log_key_->size <= st.st_size &&
                              next->job_log;
        FileRead read = read_from(paths_.job_log(), appended ? job_log_key_->size : 0);
        log.present = read.exists;
        if (!read.exists || !read.error.empty()) {
            log.problem = read.exists ? read.error : "missing";
            job_log_key_.reset();
        } else {
            auto index =
                appended ? std::make_shared<JobLogIndex>(*next->job_log) : std::make_shared<JobLogIndex>();
            if (!appended) job_log_partial_.clear();
            job_log_partial_ += read.text;
            const std::size_t last_newline = job_log_partial_.rfind('\n');
            if (last_newline != std::string::npos) {
                index->add_lines(std::string_view(job_log_partial_).substr(0, last_newline + 1));
                job_log_partial_.erase(0, last_newline + 1);
            }
            next->job_log = std::move(index);
            job_log_key_ = read.key;
            log.modified = mtime_of(read.key);
            log.has_data = true;
            log.problem.clear();
        }
        changed = true;
    }

    if (changed) {
        next->generation = snapshot_->generation + 1;
        snapshot_ = std::move(next);
    }
}

}  // namespace lobos::web
