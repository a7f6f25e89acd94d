#pragma once
// The status files as webstatus last read them. Every request asks for the
// current snapshot; the files are looked at (one stat each) at most every
// `recheck`, and a file is read and parsed again only when its inode, size
// or mtime changed. The writers replace status files by rename, so a file
// read is always a whole one; a file that still fails to parse (or is gone)
// keeps its last good copy, and the snapshot says what is wrong with it.
// job.log only grows: what was appended is read, not the whole file.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "share/io/cluster_root.hpp"
#include "webstatus/content/status_snapshot.hpp"

namespace lobos::web {

class StatusCache {
public:
    StatusCache(ClusterPaths paths, std::shared_ptr<const ClusterView> cluster,
                std::chrono::milliseconds recheck = std::chrono::milliseconds(100));

    // The snapshot, looked at again if the last look is older than `recheck`. Thread-safe.
    std::shared_ptr<const StatusSnapshot> current();
    // Looks at every file now. Thread-safe.
    std::shared_ptr<const StatusSnapshot> refresh();

    struct FileKey {
        dev_t device = 0;
        ino_t inode = 0;
        off_t size = 0;
        std::int64_t mtime_ns = 0;
        bool operator==(const FileKey&) const = default;
    };

private:
    void refresh_locked();

    ClusterPaths paths_;
    std::chrono::milliseconds recheck_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point last_look_{};
    std::shared_ptr<const StatusSnapshot> snapshot_;

    std::optional<FileKey> node_status_key_, node_detail_key_, job_status_key_, job_detail_key_, job_log_key_;
    std::string job_log_partial_;  // a last line not yet ended by '\n'
};

}  // namespace lobos::web
