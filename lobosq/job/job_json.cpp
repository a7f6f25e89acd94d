#include "lobosq/job/job_json.hpp"

#include <cmath>

#include "share/formats/job_id.hpp"

namespace lobos::job_json {

namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), as strict as nlohmann's dump, which throws on anything else.
bool valid_utf8(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;   // overlong
            if (c == 0xED) high = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;   // overlong
            if (c == 0xF4) high = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (i + length > bytes.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(bytes[i + k]);
            if (k == 1 ? next < low || next > high : next < 0x80 || next > 0xBF) return false;
        }
        i += length;
    }
    return true;
}

std::string from_hex(std::string_view hex, const std::string& where) {
    if (hex.size() % 2 != 0) expected(where, "an even number of hex digits");
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const std::size_t high = hex_digits.find(hex[i]);
        const std::size_t low = hex_digits.find(hex[i + 1]);
        if (high == std::string_view::npos || low == std::string_view::npos)
            expected(where, "lower-case hex digits");
        bytes += static_cast<char>(high * 16 + low);
    }
    return bytes;
}

}  // namespace

json text_value(std::string_view bytes) {
    if (valid_utf8(bytes)) return std::string(bytes);
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (char c : bytes) {
        hex += hex_digits[static_cast<unsigned char>(c) >> 4];
        hex += hex_digits[static_cast<unsigned char>(c) & 0xF];
    }
    return json{{"hex", std::move(hex)}};
}

json time_value(JobTime when) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
}

json optional_time_value(const std::optional<JobTime>& when) {
    return when ? time_value(*when) : json(nullptr);
}

json to_json(const JobDirectives& d) {
    return json{
        {"etime_minutes", d.etime_minutes},
        {"confidence", d.confidence},
        {"nprocs_low", d.nprocs_low},
        {"nprocs_high", d.nprocs_high},
        {"nproc0", d.nproc0 ? json(*d.nproc0) : json(nullptr)},
        {"tpip", d.tpip},
        {"admin", d.admin},
        {"rtime", optional_time_value(d.rtime)},
    };
}

json to_json(const JobSpec& spec) {
    // Pairs rather than an object: a variable's name is bytes too.
    json environment = json::array();
    for (const auto& [name, value] : spec.environment)
        environment.push_back(json::array({text_value(name), text_value(value)}));
    return json{
        {"id", text_value(spec.id)},
        {"user", text_value(spec.user)},
        {"uid", spec.uid},
        {"gid", spec.gid},
        {"dir", text_value(spec.dir)},
        {"script", text_value(spec.script)},
        {"directives", to_json(spec.directives)},
        {"submitted", time_value(spec.submitted)},
        {"environment", std::move(environment)},
    };
}

json to_json(const Placement& placement) {
    json nodes = json::array();
    for (const std::string& node : placement.nodes) nodes.push_back(text_value(node));
    return json{{"cpus", placement.cpus}, {"nodes", std::move(nodes)}};
}

json to_json(const JobEnd& end) {
    return json{
        {"outcome", to_string(end.outcome)}, {"exit_code", end.exit_code}, {"signal", end.signal},
        {"reason", text_value(end.reason)},  {"at", time_value(end.at)},
    };
}

std::string dump(const json& document) {
    // Every string went through text_value() and is valid UTF-8; `replace` only
    // keeps a writer from throwing should one ever not be.
    return document.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string member_path(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
}

std::string element_path(const std::string& where, std::size_t index) {
    return where + "[" + std::to_string(index) + "]";
}

void expected(const std::string& where, std::string_view what) {
    throw FieldError{(where.empty() ? std::string("the document") : where) + ": expected " +
                     std::string(what)};
}

const json& object_at(const json& value, const std::string& where) {
    if (!value.is_object()) expected(where, "an object");
    return value;
}

const json& member(const json& object, std::string_view key, const std::string& where) {
    auto found = object.find(key);
    if (found == object.end()) throw FieldError{member_path(where, key) + ": missing"};
    return *found;
}

const json* optional_member(const json& object, std::string_view key) {
    auto found = object.find(key);
    return found == object.end() || found->is_null() ? nullptr : &*found;
}

const json& array_at(const json& object, std::string_view key, const std::string& where) {
    const json& value = member(object, key, where);
    if (!value.is_array()) expected(member_path(where, key), "an array");
    return value;
}

std::string text_of(const json& value, const std::string& where) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.size() == 1 && value.contains("hex") && value["hex"].is_string())
        return from_hex(value["hex"].get_ref<const std::string&>(), where);
    expected(where, "a string");
}

std::string text_at(const json& object, std::string_view key, const std::string& where) {
    return text_of(member(object, key, where), member_path(where, key));
}

bool boolean_at(const json& object, std::string_view key, const std::string& where) {
    const json& value = member(object, key, where);
    if (!value.is_boolean()) expected(member_path(where, key), "true or false");
    return value.get<bool>();
}

double number_at(const json& object, std::string_view key, const std::string& where) {
    const json& value = member(object, key, where);
    if (!value.is_number() || !std::isfinite(value.get<double>()))
        expected(member_path(where, key), "a number");
    return value.get<double>();
}

JobTime time_of(const json& value, const std::string& where) {
    if (!value.is_number_integer()) expected(where, "a time: whole nanoseconds since the epoch");
    return JobTime(std::chrono::duration_cast<JobClock::duration>(
        std::chrono::nanoseconds(integer_of<std::int64_t>(value, where))));
}

JobTime time_at(const json& object, std::string_view key, const std::string& where) {
    return time_of(member(object, key, where), member_path(where, key));
}

std::optional<JobTime> optional_time_at(const json& object, std::string_view key, const std::string& where) {
    const json* value = optional_member(object, key);
    if (!value) return std::nullopt;
    return time_of(*value, member_path(where, key));
}

int bounded_at(const json& object, std::string_view key, const std::string& where, int min, int max) {
    const json& value = member(object, key, where);
    if (value.is_number_integer()) {
        const std::int64_t number = value.is_number_unsigned() && value.get<std::uint64_t>() >
                                                                      std::numeric_limits<std::int64_t>::max()
                                        ? std::numeric_limits<std::int64_t>::max()
                                        : value.get<std::int64_t>();
        if (number >= min && number <= max) return static_cast<int>(number);
    }
    expected(member_path(where, key),
             "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
}

JobDirectives read_directives(const json& value, const std::string& where) {
    const json& object = object_at(value, where);
    constexpr int most = std::numeric_limits<int>::max();
    JobDirectives d;
    // The ranges of SPEC section 4, so that a record read back never asks
    // placement for something directives.cpp would have refused.
    d.etime_minutes = bounded_at(object, "etime_minutes", where, 1, most);
    d.confidence = bounded_at(object, "confidence", where, 0, 100);
    d.nprocs_low = bounded_at(object, "nprocs_low", where, 1, 128);
    d.nprocs_high = bounded_at(object, "nprocs_high", where, d.nprocs_low, 128);
    if (optional_member(object, "nproc0")) d.nproc0 = bounded_at(object, "nproc0", where, 1, most);
    d.tpip = bounded_at(object, "tpip", where, 1, 2);
    d.admin = boolean_at(object, "admin", where);
    d.rtime = optional_time_at(object, "rtime", where);
    return d;
}

JobSpec read_spec(const json& value, const std::string& where) {
    const json& object = object_at(value, where);
    JobSpec spec;
    spec.id = text_at(object, "id", where);
    // The id names files (ID.json, ID.start, ID.log): never a path.
    if (!job_id_user(spec.id)) expected(member_path(where, "id"), "a job id (user.yymmddhhmmss)");
    spec.user = text_at(object, "user", where);
    spec.uid = integer_at<uid_t>(object, "uid", where);
    spec.gid = integer_at<gid_t>(object, "gid", where);
    spec.dir = text_at(object, "dir", where);
    spec.script = text_at(object, "script", where);
    spec.directives = read_directives(member(object, "directives", where), member_path(where, "directives"));
    spec.submitted = time_at(object, "submitted", where);
    const json& environment = array_at(object, "environment", where);
    for (std::size_t i = 0; i < environment.size(); ++i) {
        const std::string at = element_path(member_path(where, "environment"), i);
        const json& pair = environment[i];
        if (!pair.is_array() || pair.size() != 2) expected(at, "a pair [name, value]");
        spec.environment[text_of(pair[0], at + "[0]")] = text_of(pair[1], at + "[1]");
    }
    return spec;
}

Placement read_placement(const json& value, const std::string& where) {
    const json& object = object_at(value, where);
    Placement placement;
    const json& cpus = array_at(object, "cpus", where);
    const json& nodes = array_at(object, "nodes", where);
    for (std::size_t i = 0; i < cpus.size(); ++i) {
        const std::string at = element_path(member_path(where, "cpus"), i);
        const int cpu = integer_of<int>(cpus[i], at);
        if (cpu < 1) expected(at, "a CPU number from 1");
        placement.cpus.push_back(cpu);
    }
    for (std::size_t i = 0; i < nodes.size(); ++i)
        placement.nodes.push_back(text_of(nodes[i], element_path(member_path(where, "nodes"), i)));
    if (placement.nodes.size() != placement.cpus.size())
        expected(member_path(where, "nodes"),
                 "one node for each of the " + std::to_string(cpus.size()) + " cpus");
    return placement;
}

JobEnd read_end(const json& value, const std::string& where) {
    const json& object = object_at(value, where);
    JobEnd end;
    const std::string outcome = text_at(object, "outcome", where);
    bool known = false;
    for (JobOutcome o :
         {JobOutcome::exited, JobOutcome::signalled, JobOutcome::cancelled, JobOutcome::failed})
        if (outcome == to_string(o)) {
            end.outcome = o;
            known = true;
        }
    if (!known) expected(member_path(where, "outcome"), "exited, signalled, cancelled or failed");
    end.exit_code = integer_at<int>(object, "exit_code", where);
    end.signal = integer_at<int>(object, "signal", where);
    end.reason = text_at(object, "reason", where);
    end.at = time_at(object, "at", where);
    return end;
}

}  // namespace lobos::job_json
