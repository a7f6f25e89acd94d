#include "lobosq/scheduler/job_table.hpp"

#include <algorithm>
#include <ctime>

#include "share/formats/cpu_numbering.hpp"
#include "share/formats/local_time.hpp"

namespace lobos {

namespace {

// The start, '~' marking an estimate.
std::string start_text(const JobView& job, StatusClock::time_point now) {
    if (!job.start) return "-";
    return (job.start_estimated ? "~" : "") + short_local_time(*job.start, now);
}

std::string count(long long n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

struct Column {
    const char* title;
    bool right;  // numbers line up on their last digit
};

}  // namespace

std::string format_job_table(const JobDetail& detail, StatusClock::time_point now) {
    if (detail.jobs.empty()) return "no jobs waiting or running\n";

    std::vector<Column> columns{{"JOBID", false}, {"USER", false}, {"STATE", false}, {"CPUS", true},
                                {"START", false}, {"ETIME", true}, {"RUN", true},    {"CPUS-HELD", false}};
    const bool any_why = std::any_of(detail.jobs.begin(), detail.jobs.end(),
                                     [](const JobView& job) { return job.why.waits(); });
    if (any_why) columns.push_back({"WHY", false});

    std::vector<std::vector<std::string>> rows;
    long long running = 0, waiting = 0, running_cpus = 0;
    for (const JobView& job : detail.jobs) {
        const bool is_running = job.state == "running";
        running += is_running;
        waiting += job.state == "waiting";
        if (is_running) running_cpus += static_cast<long long>(job.cpus.size());
        // A running job shows the CPUs it holds, a waiting one what it asked for.
        std::string cpus = std::to_string(job.nprocs_low);
        if (is_running && !job.cpus.empty())
            cpus = std::to_string(job.cpus.size());
        else if (job.nprocs_high != job.nprocs_low)
            cpus += "-" + std::to_string(job.nprocs_high);
        std::vector<std::string> row{job.id,
                                     job.user,
                                     job.state,
                                     cpus,
                                     start_text(job, now),
                                     format_duration(job.etime),
                                     is_running ? format_duration(job.run) : "-",
                                     job.cpus.empty() ? "-" : format_cpu_list(job.cpus)};
        if (any_why) row.push_back(render_wait_reason(job.why, now));
        rows.push_back(std::move(row));
    }

    std::vector<std::size_t> widths;
    for (const Column& column : columns) widths.push_back(std::string_view(column.title).size());
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());

    std::string out;
    auto append_row = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i > 0) line += "  ";
            const std::string padding(widths[i] - cells[i].size(), ' ');
            line += columns[i].right ? padding + cells[i] : cells[i] + padding;
        }
        line.erase(line.find_last_not_of(' ') + 1);  // the last column is not padded
        out += line;
        out += '\n';
    };
    std::vector<std::string> titles;
    for (const Column& column : columns) titles.emplace_back(column.title);
    append_row(titles);
    for (const auto& row : rows) append_row(row);

    // "3 jobs: 1 running on 2 CPUs, 2 waiting; 14 of 16 CPUs free"
    out += count(static_cast<long long>(detail.jobs.size()), "job", "jobs") + ": " + std::to_string(running) +
           " running on " + count(running_cpus, "CPU", "CPUs") + ", " + std::to_string(waiting) + " waiting";
    if (const long long other = static_cast<long long>(detail.jobs.size()) - running - waiting; other > 0)
        out += ", " + std::to_string(other) + " ended";
    out += "; " + std::to_string(detail.free_cpus) + " of " + count(detail.cluster_cpus, "CPU", "CPUs") +
           " free\n";
    return out;
}

}  // namespace lobos
