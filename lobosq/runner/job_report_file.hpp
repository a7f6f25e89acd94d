#pragma once
// A runner's ID.state on disk (lobosq/node_orders.hpp): a log of reports,
// one line each, the last complete line the current one. A job's reports
// go into one file instead of a new file per step: on a file system that
// avoids reusing recently freed inodes (ext4 without a journal) every file
// made and removed slows down each file made after it for minutes.
//
// Not synced: a crash of the machine ends its jobs anyway, and the queue
// fails them when the node goes down, so a report lost with it misleads
// nobody.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "lobosq/job/node_orders.hpp"

namespace lobos {

// Creates ID.state with `report` as its only line, if there is no ID.state
// yet: false, and nothing written, when there is. The file appears with its
// line whole (written under a temporary name, then linked into place), and
// of two writers only one can create it. Throws std::system_error naming
// the file.
bool create_job_report(const std::filesystem::path& path, const JobReport& report);

// Appends `report` as the new current one, creating the file if it is
// missing. One write() per report: a reader sees the line whole or, while it
// is being appended, not at all (it ends only at its newline). Throws
// std::system_error naming the file.
void append_job_report(const std::filesystem::path& path, const JobReport& report);

// append_job_report, tried again after a failure (a stale handle, a full
// disk, a server that does not answer), less and less often (100 ms up to
// 5 s), until it succeeds or `patience` has passed: false then. `complain`
// hears the error at most once a minute.
bool append_job_report_until_written(const std::filesystem::path& path, const JobReport& report,
                                     const std::function<void(const std::string&)>& complain,
                                     std::chrono::seconds patience = std::chrono::hours(24));

}  // namespace lobos
