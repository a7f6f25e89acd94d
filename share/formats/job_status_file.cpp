// job_status as LoBoS wrote it (SPEC section 3) and job_detail.json beside
// it: the formatting and parsing of share/job_status.hpp.

#include <cmath>
#include <limits>
#include <string_view>

#include "share/formats/cpu_numbering.hpp"
#include "share/formats/decimal_text.hpp"
#include "share/formats/job_status.hpp"
#include "share/formats/json_fields.hpp"
#include "share/formats/line_fields.hpp"
#include "share/formats/local_time.hpp"

namespace lobos {

namespace {

using namespace json_fields;

constexpr std::string_view column_header = "# job id uid gid pri CPUs Start Time Est Time Act Time cpus";

std::optional<JobStatusLine> read_line(const std::vector<std::string_view>& f) {
    // id uid gid pri CPUs | year month day time | est act | cpus
    if (f.size() != 12) return std::nullopt;
    JobStatusLine line;
    line.id = std::string(f[0]);
    auto uid = decimal_in<unsigned>(f[1], 0, std::numeric_limits<unsigned>::max());
    auto gid = decimal_in<unsigned>(f[2], 0, std::numeric_limits<unsigned>::max());
    auto priority = decimal_in(f[3], std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    auto cpu_count = decimal_in(f[4], 0, std::numeric_limits<int>::max());
    auto start = read_year_first_date(f[5], f[6], f[7], f[8]);
    auto estimated = read_duration(f[9]);
    auto actual = read_duration(f[10]);
    auto cpus =
        f[11] == "-" ? std::optional<std::vector<int>>(std::vector<int>{}) : parse_cluster_cpu_list(f[11]);
    if (!uid || !gid || !priority || !cpu_count || !start || !estimated || !actual || !cpus)
        return std::nullopt;
    line.uid = *uid;
    line.gid = *gid;
    line.priority = *priority;
    line.cpu_count = *cpu_count;
    line.start = *start;
    line.estimated = *estimated;
    line.actual = *actual;
    line.cpus = std::move(*cpus);
    return line;
}

// job_detail.json keeps times as unix seconds to the millisecond, as
// node_detail.json does: a browser reads them as they are (a JavaScript
// number cannot hold nanoseconds since the epoch).
json unix_seconds(StatusClock::time_point when) {
    const auto ms = std::chrono::floor<std::chrono::milliseconds>(when.time_since_epoch()).count();
    if (ms % 1000 == 0) return ms / 1000;
    return static_cast<double>(ms) / 1000.0;
}

StatusClock::time_point seconds_of(const json& value, const std::string& where) {
    if (!value.is_number()) expected(where, "unix seconds");
    const double seconds = value.get<double>();
    // The range keeps the conversion to whole milliseconds defined.
    if (!std::isfinite(seconds) || std::abs(seconds) > 1e12) expected(where, "unix seconds");
    return StatusClock::time_point(std::chrono::milliseconds(std::llround(seconds * 1000)));
}

StatusClock::time_point seconds_at(const json& object, std::string_view key, const std::string& where) {
    return seconds_of(member(object, key, where), member_path(where, key));
}

json view_json(const JobView& view) {
    json nodes = json::array();
    for (const std::string& node : view.nodes) nodes.push_back(text_value(node));
    return json{
        {"id", text_value(view.id)},
        {"user", text_value(view.user)},
        {"uid", view.uid},
        {"gid", view.gid},
        {"state", text_value(view.state)},
        {"priority", view.priority},
        {"nprocs_low", view.nprocs_low},
        {"nprocs_high", view.nprocs_high},
        {"tpip", view.tpip},
        {"cpus", view.cpus},
        {"nodes", std::move(nodes)},
        {"submitted", unix_seconds(view.submitted)},
        {"start", view.start ? unix_seconds(*view.start) : json(nullptr)},
        {"start_estimated", view.start_estimated},
        {"etime_seconds", view.etime.count()},
        {"run_seconds", view.run.count()},
        {"why", wait_reason_json(view.why)},
        {"dir", text_value(view.dir)},
    };
}

JobView read_view(const json& value, const std::string& where) {
    const json& object = object_at(value, where);
    JobView view;
    view.id = text_at(object, "id", where);
    view.user = text_at(object, "user", where);
    view.uid = integer_at<unsigned>(object, "uid", where);
    view.gid = integer_at<unsigned>(object, "gid", where);
    view.state = text_at(object, "state", where);
    view.priority = integer_at<int>(object, "priority", where);
    view.nprocs_low = integer_at<int>(object, "nprocs_low", where);
    view.nprocs_high = integer_at<int>(object, "nprocs_high", where);
    view.tpip = integer_at<int>(object, "tpip", where);
    const json& cpus = array_at(object, "cpus", where);
    for (std::size_t i = 0; i < cpus.size(); ++i)
        view.cpus.push_back(integer_of<int>(cpus[i], element_path(member_path(where, "cpus"), i)));
    const json& nodes = array_at(object, "nodes", where);
    for (std::size_t i = 0; i < nodes.size(); ++i)
        view.nodes.push_back(text_of(nodes[i], element_path(member_path(where, "nodes"), i)));
    view.submitted = seconds_at(object, "submitted", where);
    if (const json* start = optional_member(object, "start"))
        view.start = seconds_of(*start, member_path(where, "start"));
    view.start_estimated = boolean_at(object, "start_estimated", where);
    view.etime = std::chrono::seconds(integer_at<std::int64_t>(object, "etime_seconds", where));
    view.run = std::chrono::seconds(integer_at<std::int64_t>(object, "run_seconds", where));
    view.why = read_wait_reason(member(object, "why", where), member_path(where, "why"));
    view.dir = text_at(object, "dir", where);
    return view;
}

}  // namespace

std::string format_job_status(const JobStatus& status) {
    std::string out;
    out.reserve(128 + status.jobs.size() * 96);
    out += "# Job Status Date:";
    append_asctime_date(out, status.written);
    out += '\n';
    out += column_header;
    out += '\n';
    for (const JobStatusLine& job : status.jobs) {
        out += job.id;
        out += ' ';
        append_decimal(out, job.uid, 1);
        out += ' ';
        append_decimal(out, job.gid, 1);
        out += ' ';
        append_decimal(out, job.priority, 1);
        out += ' ';
        append_decimal(out, job.cpu_count, 1);
        out += ' ';
        append_year_first_date(out, job.start);
        out += ' ';
        out += format_duration(job.estimated);
        out += ' ';
        out += format_duration(job.actual);
        out += ' ';
        out += job.cpus.empty() ? "-" : format_cpu_list(job.cpus);
        out += '\n';
    }
    return out;
}

JobStatusRead parse_job_status(const std::string& text) {
    JobStatusRead read;
    std::string_view rest = text;
    while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);

        const std::vector<std::string_view> fields = line_fields(line);
        if (fields.empty()) continue;
        if (fields[0].starts_with('#')) {
            // "# Job Status Date:Wed Oct 8 16:23:00 1997"; other comments are
            // the column header or notes.
            const std::size_t at = line.find("Date:");
            if (at == std::string_view::npos) continue;
            if (auto written = read_asctime_date(line.substr(at + 5))) read.status.written = *written;
            continue;
        }
        if (auto job = read_line(fields))
            read.status.jobs.push_back(std::move(*job));
        else
            ++read.skipped_lines;
    }
    return read;
}

std::string format_job_detail(const JobDetail& detail) {
    json jobs = json::array();
    for (const JobView& view : detail.jobs) jobs.push_back(view_json(view));
    const json document{
        {"written", unix_seconds(detail.written)},
        {"writer", text_value(detail.writer)},
        {"cluster_cpus", detail.cluster_cpus},
        {"free_cpus", detail.free_cpus},
        {"jobs", std::move(jobs)},
    };
    // Compact: rewritten on every change of the queue, read by every browser.
    return document.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<JobDetail> parse_job_detail(const std::string& text, std::string& error) {
    return decode(text, error, [](const json& document) {
        JobDetail detail;
        detail.written = seconds_at(document, "written", "");
        detail.writer = text_at(document, "writer", "");
        detail.cluster_cpus = integer_at<int>(document, "cluster_cpus", "");
        detail.free_cpus = integer_at<int>(document, "free_cpus", "");
        const json& jobs = array_at(document, "jobs", "");
        detail.jobs.reserve(jobs.size());
        for (std::size_t i = 0; i < jobs.size(); ++i)
            detail.jobs.push_back(read_view(jobs[i], element_path("jobs", i)));
        return detail;
    });
}

}  // namespace lobos
