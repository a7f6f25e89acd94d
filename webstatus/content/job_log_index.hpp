#pragma once
// What job.log says about each job, for jobs that have left job_status: who
// submitted it and from which directory (where its ID.log is), and its
// events. The queue daemon writes one line per event:
//   2026-11-23 10:15:00.123 alice.261123101500 submitted by alice (uid 1000): 2 CPUs, TPIP 1, ETIME 5, in
//   /home/alice 2026-11-23 10:15:00.200 alice.261123101500 dispatched to cpus 1,3 (n01,n02) 2026-11-23
//   10:15:05.900 alice.261123101500 ended: exit 0 after 0:00:05
// Pure: text in, entries out; the log is read in pieces as it grows.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lobos::web {

struct JobLogEntry {
    std::string user;
    std::optional<unsigned> uid;
    std::string dir;                  // the submit directory, as the queue daemon recorded it
    std::vector<std::string> events;  // the job's lines, oldest first (at most max_events)
    bool finished = false;            // ended, cancelled, failed or refused
};

class JobLogIndex {
public:
    // A job with more events keeps its first ones (submission, dispatch) and its last.
    static constexpr std::size_t max_events = 16;

    // Adds whole lines (a trailing piece without '\n' is the caller's to keep for later).
    void add_lines(std::string_view text);
    const JobLogEntry* find(std::string_view id) const;
    std::size_t size() const { return jobs_.size(); }

private:
    void add_line(std::string_view line);
    std::map<std::string, JobLogEntry, std::less<>> jobs_;
};

}  // namespace lobos::web
