#pragma once
// Records are written unsynced. What must not happen before a record is
// durable (removing the spool file it came from, removing the files of a job
// whose end it records) waits, under a key, until make_durable() syncs every
// record written since the last time, once a second: one sync for hundreds
// of jobs instead of one each. Scans pass over what waits (awaiting()).

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "lobosq/queue_daemon/queue_store.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

class DurableBatch {
public:
    DurableBatch(const QueueStore& store, DaemonLog& log) : store_(store), log_(log) {}

    // A record (or fair share's file) was written unsynced.
    void written() { records_written_ = true; }
    // Runs `action` after the next successful sync, once per key.
    void once_durable(const std::string& key, std::function<void()> action);
    bool awaiting(const std::string& key) const { return awaiting_.count(key) > 0; }
    // Syncs what was written and runs what waited for it. A sync that fails
    // is logged and tried again at the next call; nothing waiting is run.
    void make_durable();
    // Forgets what waits: whoever acts next does it, from the files.
    void clear();

private:
    const QueueStore& store_;
    DaemonLog& log_;
    bool records_written_ = false;
    std::vector<std::function<void()>> after_sync_;
    std::set<std::string> awaiting_;
};

}  // namespace lobos
