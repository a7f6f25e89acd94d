#include "lobosq/job/spool_entry.hpp"

#include <nlohmann/json.hpp>

#include "share/formats/json_fields.hpp"

namespace lobos {

using nlohmann::json;

namespace {

std::int64_t to_ns(JobTime t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

JobTime from_ns(std::int64_t ns) {
    return JobTime(std::chrono::duration_cast<JobClock::duration>(std::chrono::nanoseconds(ns)));
}

std::optional<json> parse_object(std::string_view text, std::string& error) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    return j;
}

// Text as json_fields writes it: a string, or {"hex": ...} for bytes that are not UTF-8.
bool text_field(const json& value, const std::string& name, std::string& out, std::string& error) {
    try {
        out = json_fields::text_of(value, name);
        return true;
    } catch (const json_fields::FieldError&) {
        error = "field '" + name + "': missing or not a string";
        return false;
    }
}

bool string_field(const json& j, const char* name, std::string& out, std::string& error) {
    auto it = j.find(name);
    if (it == j.end()) {
        error = std::string("field '") + name + "': missing or not a string";
        return false;
    }
    return text_field(*it, name, out, error);
}

void put_reply_to(json& j, const std::optional<WakeUpAddress>& reply_to) {
    if (reply_to) j["reply_to"] = format_wake_up_address(*reply_to);
}

// A reply address that is missing or unusable costs only the wake-up: the
// request itself stands.
std::optional<WakeUpAddress> reply_to_of(const json& j) {
    auto it = j.find("reply_to");
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return parse_wake_up_address(it->get<std::string>());
}

}  // namespace

std::string encode_submission(const Submission& s) {
    json env = json::object();
    for (const auto& [k, v] : s.environment) env[k] = json_fields::text_value(v);
    // The directory, the script and the values are bytes, and come back as
    // they went in: text that is not UTF-8 is written as {"hex": ...}.
    json j = {{"dir", json_fields::text_value(s.dir)},
              {"script", json_fields::text_value(s.script)},
              {"environment", env},
              {"submitted_ns", to_ns(s.submitted)}};
    // A variable's name that is not UTF-8 has its bad bytes replaced rather than the job refused.
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<Submission> decode_submission(std::string_view text, std::string& error) {
    auto j = parse_object(text, error);
    if (!j) return std::nullopt;
    Submission s;
    if (!string_field(*j, "dir", s.dir, error) || !string_field(*j, "script", s.script, error))
        return std::nullopt;
    auto env = j->find("environment");
    if (env != j->end()) {
        if (!env->is_object()) {
            error = "field 'environment': not an object";
            return std::nullopt;
        }
        for (const auto& [k, v] : env->items())
            if (!text_field(v, "environment." + k, s.environment[k], error)) return std::nullopt;
    }
    auto t = j->find("submitted_ns");
    if (t == j->end() || !t->is_number_integer()) {
        error = "field 'submitted_ns': missing or not an integer";
        return std::nullopt;
    }
    s.submitted = from_ns(t->get<std::int64_t>());
    if (s.dir.empty() || s.dir.front() != '/') {
        error = "field 'dir': not an absolute path";
        return std::nullopt;
    }
    return s;
}

std::string encode_cancel_request(const CancelRequest& r) {
    json j = {{"job", r.job}};
    put_reply_to(j, r.reply_to);
    return j.dump() + "\n";
}

std::optional<CancelRequest> decode_cancel_request(std::string_view text, std::string& error) {
    auto j = parse_object(text, error);
    if (!j) return std::nullopt;
    CancelRequest r;
    if (!string_field(*j, "job", r.job, error)) return std::nullopt;
    r.reply_to = reply_to_of(*j);
    return r;
}

std::string encode_probe_request(const ProbeRequest& r) {
    json j = {{"script", r.script}};
    put_reply_to(j, r.reply_to);
    return j.dump() + "\n";
}

std::optional<ProbeRequest> decode_probe_request(std::string_view text, std::string& error) {
    auto j = parse_object(text, error);
    if (!j) return std::nullopt;
    ProbeRequest r;
    if (!string_field(*j, "script", r.script, error)) return std::nullopt;
    r.reply_to = reply_to_of(*j);
    return r;
}

std::string encode_cancel_answer(const CancelAnswer& a) {
    return (a.ok ? "ok\n" : "refused\n") + a.message + "\n";
}

std::optional<CancelAnswer> decode_cancel_answer(std::string_view text) {
    auto newline = text.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    std::string_view head = text.substr(0, newline);
    if (head != "ok" && head != "refused") return std::nullopt;
    std::string_view message = text.substr(newline + 1);
    while (!message.empty() && message.back() == '\n') message.remove_suffix(1);
    return CancelAnswer{head == "ok", std::string(message)};
}

}  // namespace lobos
