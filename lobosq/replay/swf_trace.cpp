#include "lobosq/replay/swf_trace.hpp"

#include <array>
#include <charconv>
#include <limits>

#include "share/formats/line_fields.hpp"

namespace lobos {

namespace {

constexpr std::array<std::string_view, swf_fields> field_names{"job number",
                                                               "submit time",
                                                               "wait time",
                                                               "run time",
                                                               "allocated processors",
                                                               "average CPU time",
                                                               "used memory",
                                                               "requested processors",
                                                               "requested time",
                                                               "requested memory",
                                                               "status",
                                                               "user id",
                                                               "group id",
                                                               "executable",
                                                               "queue",
                                                               "partition",
                                                               "preceding job",
                                                               "think time"};

// Fields that may hold a fraction (CPU time and memory are averages); every
// other field is a whole number.
bool fractional(int field) { return field == 6 || field == 7; }

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// A field's value: nullopt for -1 (unknown); an error reason otherwise when
// it is not a number of the field's kind. -1 is the only negative the
// format allows.
struct Value {
    std::optional<double> number;
    std::string error;
};

Value read_value(std::string_view word, int field) {
    Value v;
    double number = 0;
    if (fractional(field)) {
        auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), number);
        if (ec != std::errc() || end != word.data() + word.size()) {
            v.error = "not a number";
            return v;
        }
    } else {
        long long whole = 0;
        auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), whole);
        if (ec == std::errc::result_out_of_range) {
            v.error = "out of range";
            return v;
        }
        if (ec != std::errc() || end != word.data() + word.size()) {
            v.error = "not a whole number";
            return v;
        }
        number = static_cast<double>(whole);
    }
    if (number == -1) return v;
    if (number < 0) {
        v.error = "negative (only -1, unknown, is allowed)";
        return v;
    }
    v.number = number;
    return v;
}

std::optional<long long> whole(const std::optional<double>& v) {
    if (!v) return std::nullopt;
    return static_cast<long long>(*v);
}

}  // namespace

std::string_view swf_field_name(int field) {
    if (field < 1 || field > swf_fields) return "";
    return field_names[static_cast<std::size_t>(field - 1)];
}

SwfRead parse_swf(std::string_view text) {
    SwfRead read;
    int line_number = 0;
    while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        const std::string_view raw = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        ++line_number;
        const std::string_view line = trim(raw);
        if (line.empty()) continue;
        if (line.front() == ';') {
            const std::string_view body = trim(line.substr(1));
            const std::size_t colon = body.find(':');
            if (colon != std::string_view::npos && colon > 0 &&
                body.substr(0, colon).find(' ') == std::string_view::npos)
                read.header.emplace_back(std::string(body.substr(0, colon)),
                                         std::string(trim(body.substr(colon + 1))));
            continue;
        }

        const std::vector<std::string_view> words = line_fields(line);
        if (words.size() != swf_fields) {
            read.errors.push_back(SwfError{
                line_number, 0, std::string(line),
                std::to_string(words.size()) + " fields; a job line has " + std::to_string(swf_fields)});
            continue;
        }
        std::array<std::optional<double>, swf_fields> values;
        bool bad = false;
        for (int field = 1; field <= swf_fields && !bad; ++field) {
            const std::string_view word = words[static_cast<std::size_t>(field - 1)];
            Value v = read_value(word, field);
            // The job number and submit time place the job: they must be known.
            if (v.error.empty() && !v.number && (field == 1 || field == 2))
                v.error = "unknown (-1), but required";
            // Processor counts are kept as int.
            if (v.error.empty() && v.number && (field == 5 || field == 8) &&
                *v.number > std::numeric_limits<int>::max())
                v.error = "out of range";
            if (!v.error.empty()) {
                read.errors.push_back(SwfError{line_number, field, std::string(word), v.error});
                bad = true;
            }
            values[static_cast<std::size_t>(field - 1)] = v.number;
        }
        if (bad) continue;
        auto at = [&](int field) { return values[static_cast<std::size_t>(field - 1)]; };
        auto count = [&](int field) -> std::optional<int> {
            if (!at(field)) return std::nullopt;
            return static_cast<int>(*at(field));
        };
        SwfJob job;
        job.line = line_number;
        job.number = *whole(at(1));
        job.submit = *whole(at(2));
        job.wait = whole(at(3));
        job.run_time = whole(at(4));
        job.allocated = count(5);
        job.cpu_time = at(6);
        job.memory = at(7);
        job.requested = count(8);
        job.requested_time = whole(at(9));
        job.status = whole(at(11));
        job.user = whole(at(12));
        job.group = whole(at(13));
        read.jobs.push_back(job);
    }
    return read;
}

std::string to_string(const SwfError& error) {
    std::string text = "line " + std::to_string(error.line) + ": ";
    if (error.field > 0)
        text += "field " + std::to_string(error.field) + " (" + std::string(swf_field_name(error.field)) +
                ") '" + error.value + "': ";
    return text + error.reason;
}

}  // namespace lobos
