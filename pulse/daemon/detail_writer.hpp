#pragma once
// The primary master's writer of node_detail.json: a thread of its own that
// formats and writes the file from a snapshot, so that the I/O thread, which
// times deaths to the millisecond, never spends the tens of milliseconds a
// 12 MB file takes at 10,000 nodes. One write at a time: a snapshot handed in
// while one is being written is refused, and the caller offers a fresher one
// at its next turn.
//
// The file is published like every status file: renamed into place under
// the lease file's lock, only while this master still holds the epoch the
// snapshot was taken under. The thread has its own lease object (its own
// open file, so the lock excludes the I/O thread's status writes and lease
// renewals as it excludes other masters).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pulse/daemon/status_writer.hpp"
#include "share/formats/node_detail.hpp"
#include "share/formats/node_status.hpp"
#include "share/io/daemon_log.hpp"
#include "share/io/primary_lease.hpp"

namespace lobos {

class DetailWriter {
public:
    struct Snapshot {
        std::vector<SharedNodeDetail> nodes;
        std::vector<LinkState> links;
        DropCounters dropped;
        WallTime taken{};
        std::string writer;  // this master's name
        std::uint64_t epoch = 0;
        std::optional<WallTime> listening_since;  // since when this master has heard the cluster
    };

    // `lease_file`, `self` and `lease_duration` as the daemon's PrimaryLease.
    // Failures to write go to `log`, at a limited rate.
    DetailWriter(StatusWriter files, std::filesystem::path lease_file, std::string self,
                 std::chrono::milliseconds lease_duration, DaemonLog& log);
    // Lets a write under way finish (it publishes only if the lease is still
    // held), drops one not started, and joins the thread.
    ~DetailWriter();
    DetailWriter(const DetailWriter&) = delete;
    DetailWriter& operator=(const DetailWriter&) = delete;

    // Hands `snapshot` to the thread; false, and nothing done, while the
    // previous one is still being written.
    bool submit(Snapshot&& snapshot);

private:
    void run();
    void write(const Snapshot& snapshot);

    StatusWriter files_;
    PrimaryLease lease_;
    DaemonLog& log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<Snapshot> next_;  // guarded by mutex_
    bool busy_ = false;             // guarded by mutex_: a snapshot handed in and not yet written
    bool stopping_ = false;         // guarded by mutex_
    std::thread thread_;            // last: starts once everything above is ready
};

}  // namespace lobos
