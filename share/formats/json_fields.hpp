#pragma once
// Reading and writing the fields of LoBoS's JSON files, in one place for
// every format: job records and orders (lobosq/job/job_json), job_detail.json
// (job_status_file), node_detail.json. One spelling of "expected a whole
// number from 0 to 65535" and one path syntax for messages
// ("nodes[3].cpus[0].online: expected true or false").
//
// Conventions:
// - times are integer nanoseconds since the epoch (exact, unlike a double);
// - text is a JSON string when it is valid UTF-8, and {"hex": "..."} when it
//   is not: scripts, directories and environments are bytes, and a job must
//   get back exactly the bytes it was submitted with;
// - an optional value is null, or absent;
// - keys a reader does not know are ignored.
//
// The readers throw FieldError with the path of the value; decode() turns
// that, and any parse error, into nullopt and an error message: nothing
// leaves a decoder as an exception.

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "share/formats/wall_clock.hpp"

namespace lobos::json_fields {

using nlohmann::json;

struct FieldError {
    std::string message;
};

// Writing.
json text_value(std::string_view bytes);
json time_value(WallTime when);
json optional_time_value(const std::optional<WallTime>& when);
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
WallTime time_of(const json& value, const std::string& where);
WallTime time_at(const json& object, std::string_view key, const std::string& where);
std::optional<WallTime> optional_time_at(const json& object, std::string_view key, const std::string& where);

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

}  // namespace lobos::json_fields
