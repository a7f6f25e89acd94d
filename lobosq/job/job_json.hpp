#pragma once
// The JSON of the job types, in one place for every file that carries a job:
// the queue's records (job_record), the orders between the queue daemon and
// a node's runner (node_orders) and job_detail.json (share/job_status). One
// spelling of each field and one set of checks, so that a value one side
// writes is a value the other side reads.
//
// Conventions:
// - times are integer nanoseconds since the epoch (exact, unlike a double);
// - text is a JSON string when it is valid UTF-8, and {"hex": "..."} when it
//   is not: scripts, directories and environments are bytes, and a job must
//   get back exactly the bytes it was submitted with;
// - an optional value is null, or absent;
// - keys a reader does not know are ignored.
//
// The readers throw FieldError with the path of the value ("spec.uid:
// expected a whole number ..."); decode() turns that, and any parse error,
// into nullopt and an error message: nothing leaves a decoder as an exception.

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lobosq/job/job.hpp"

namespace lobos::job_json {

using nlohmann::json;

struct FieldError {
    std::string message;
};

// Writing.
json text_value(std::string_view bytes);
json time_value(JobTime when);
json optional_time_value(const std::optional<JobTime>& when);
json to_json(const JobDirectives& directives);
json to_json(const JobSpec& spec);
json to_json(const Placement& placement);
json to_json(const JobEnd& end);
// The document as the text of a file, ending in a newline.
std::string dump(const json& document);

// Where a value is, for messages: "spec.environment[2]".
std::string member_path(const std::string& where, std::string_view key);
std::string element_path(const std::string& where, std::size_t index);
[[noreturn]] void expected(const std::string& where, std::string_view what);

// Reading the member `key` of `object`, found at `where`.
const json& object_at(const json& value, const std::string& where);
const json& member(const json& object, std::string_view key, const std::string& where);
// The member, or nullptr when it is absent or null.
const json* optional_member(const json& object, std::string_view key);
const json& array_at(const json& object, std::string_view key, const std::string& where);
std::string text_of(const json& value, const std::string& where);
std::string text_at(const json& object, std::string_view key, const std::string& where);
bool boolean_at(const json& object, std::string_view key, const std::string& where);
double number_at(const json& object, std::string_view key, const std::string& where);  // finite
JobTime time_of(const json& value, const std::string& where);
JobTime time_at(const json& object, std::string_view key, const std::string& where);
std::optional<JobTime> optional_time_at(const json& object, std::string_view key, const std::string& where);

template <typename Integer>
Integer integer_of(const json& value, const std::string& where) {
    using limits = std::numeric_limits<Integer>;
    if (value.is_number_unsigned()) {
        if (value.get<std::uint64_t>() <= static_cast<std::uint64_t>(limits::max()))
            return static_cast<Integer>(value.get<std::uint64_t>());
    } else if (value.is_number_integer()) {
        const std::int64_t number = value.get<std::int64_t>();
        if (number >= static_cast<std::int64_t>(limits::min()) &&
            (number < 0 || static_cast<std::uint64_t>(number) <= static_cast<std::uint64_t>(limits::max())))
            return static_cast<Integer>(number);
    }
    expected(where,
             "a whole number from " + std::to_string(limits::min()) + " to " + std::to_string(limits::max()));
}

template <typename Integer>
Integer integer_at(const json& object, std::string_view key, const std::string& where) {
    return integer_of<Integer>(member(object, key, where), member_path(where, key));
}

// A whole number in [min, max].
int bounded_at(const json& object, std::string_view key, const std::string& where, int min, int max);

JobDirectives read_directives(const json& value, const std::string& where);
JobSpec read_spec(const json& value, const std::string& where);
Placement read_placement(const json& value, const std::string& where);
JobEnd read_end(const json& value, const std::string& where);

// Parses `text` and reads the document with `read`: the value, or nullopt
// with `error` set. Never throws.
template <typename Read>
auto decode(std::string_view text, std::string& error, Read read) -> std::optional<decltype(read(json()))> {
    try {
        const json document = json::parse(text);
        object_at(document, "");
        auto value = read(document);
        error.clear();
        return value;
    } catch (const FieldError& e) {
        error = e.message;
    } catch (const json::exception& e) {
        error = e.what();  // "[json.exception.parse_error.101] parse error at line 1, ..."
    } catch (const std::exception& e) {
        error = e.what();  // std::bad_alloc
    }
    return std::nullopt;
}

}  // namespace lobos::job_json
