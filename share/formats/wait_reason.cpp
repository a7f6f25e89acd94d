#include "share/formats/wait_reason.hpp"

#include <array>
#include <utility>

#include "share/formats/json_fields.hpp"
#include "share/formats/local_time.hpp"

namespace lobos {

namespace {

using namespace json_fields;

constexpr std::array<std::pair<WaitCode, std::string_view>, 8> code_names{{
    {WaitCode::none, "none"},
    {WaitCode::held_until, "held_until"},
    {WaitCode::cannot_place, "cannot_place"},
    {WaitCode::user_cap, "user_cap"},
    {WaitCode::behind, "behind"},
    {WaitCode::nproc0_busy, "nproc0_busy"},
    {WaitCode::needs_cpus, "needs_cpus"},
    {WaitCode::not_planned, "not_planned"},
}};

// "8 CPUs", "1 CPU", "4-8 CPUs (2 a node)".
std::string cpus_wanted(const WaitReason& r) {
    std::string n = r.nprocs_low == r.nprocs_high
                        ? std::to_string(r.nprocs_low)
                        : std::to_string(r.nprocs_low) + "-" + std::to_string(r.nprocs_high);
    return n + (n == "1" ? " CPU" : " CPUs") + (r.tpip > 1 ? " (" + std::to_string(r.tpip) + " a node)" : "");
}

std::string with_faults(std::string text, const NodeFaults& faults) {
    return faults.empty() ? text : text + "; " + describe_node_faults(faults);
}

json faults_json(const NodeFaults& faults) {
    json groups = json::array();
    for (const NodeFaultGroup& group : faults) {
        json nodes = json::array();
        for (const std::string& node : group.nodes) nodes.push_back(text_value(node));
        groups.push_back(json{{"fault", group.fault}, {"nodes", std::move(nodes)}, {"more", group.more}});
    }
    return groups;
}

NodeFaults read_faults(const json& object, const std::string& where) {
    NodeFaults faults;
    const json& groups = array_at(object, "faults", where);
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const std::string at = element_path(member_path(where, "faults"), i);
        const json& group = object_at(groups[i], at);
        NodeFaultGroup read;
        read.fault = text_at(group, "fault", at);
        const json& nodes = array_at(group, "nodes", at);
        for (std::size_t n = 0; n < nodes.size(); ++n)
            read.nodes.push_back(text_of(nodes[n], element_path(member_path(at, "nodes"), n)));
        read.more = integer_at<int>(group, "more", at);
        faults.push_back(std::move(read));
    }
    return faults;
}

bool has_request(WaitCode code) { return code == WaitCode::cannot_place || code == WaitCode::needs_cpus; }

}  // namespace

std::string describe_node_faults(const NodeFaults& faults) {
    std::string text;
    for (const NodeFaultGroup& group : faults) {
        if (!text.empty()) text += "; ";
        for (std::size_t i = 0; i < group.nodes.size(); ++i) text += (i ? ", " : "") + group.nodes[i];
        if (group.more > 0) text += " and " + std::to_string(group.more) + " more";
        text += " " + group.fault;
    }
    return text;
}

WaitReason held_until(WallTime rtime) {
    WaitReason r;
    r.code = WaitCode::held_until;
    r.when = rtime;
    return r;
}

WaitReason behind(std::string ahead, WallTime starts) {
    WaitReason r;
    r.code = WaitCode::behind;
    r.ahead = std::move(ahead);
    r.when = starts;
    return r;
}

std::string_view code_name(WaitCode code) {
    for (const auto& [c, name] : code_names)
        if (c == code) return name;
    return "none";
}

std::optional<WaitCode> wait_code_named(std::string_view name) {
    for (const auto& [code, n] : code_names)
        if (n == name) return code;
    return std::nullopt;
}

std::string render_wait_reason(const WaitReason& r, WallTime now) {
    switch (r.code) {
        case WaitCode::none:
            return "";
        case WaitCode::held_until:
            return "held until " + short_local_time(r.when, now) + " (#RTIME)";
        case WaitCode::cannot_place:
            return with_faults("needs " + cpus_wanted(r) + "; the nodes up now cannot give them", r.faults);
        case WaitCode::user_cap:
            return "user cap " + std::to_string(r.cap) + " reached";
        case WaitCode::behind:
            return "behind " + r.ahead + " (starts " + short_local_time(r.when, now) + ")";
        case WaitCode::nproc0_busy:
            return "NPROC0 CPU " + std::to_string(r.cpu) + " is busy";
        case WaitCode::needs_cpus:
            return with_faults("needs " + cpus_wanted(r) + ", " + std::to_string(r.free_cpus) + " free",
                               r.faults);
        case WaitCode::not_planned:
            return "not planned yet";
    }
    return "";
}

nlohmann::json wait_reason_json(const WaitReason& r) {
    json out{{"code", code_name(r.code)}};
    switch (r.code) {
        case WaitCode::held_until:
            out["when"] = time_value(r.when);
            break;
        case WaitCode::behind:
            out["ahead"] = text_value(r.ahead);
            out["when"] = time_value(r.when);
            break;
        case WaitCode::user_cap:
            out["cap"] = r.cap;
            break;
        case WaitCode::nproc0_busy:
            out["cpu"] = r.cpu;
            break;
        case WaitCode::needs_cpus:
            out["free_cpus"] = r.free_cpus;
            [[fallthrough]];
        case WaitCode::cannot_place:
            out["nprocs_low"] = r.nprocs_low;
            out["nprocs_high"] = r.nprocs_high;
            out["tpip"] = r.tpip;
            out["faults"] = faults_json(r.faults);
            break;
        case WaitCode::none:
        case WaitCode::not_planned:
            break;
    }
    return out;
}

WaitReason read_wait_reason(const nlohmann::json& value, const std::string& where) {
    const json& object = object_at(value, where);
    const std::optional<WaitCode> code = wait_code_named(text_at(object, "code", where));
    if (!code) expected(member_path(where, "code"), "a wait reason's code, such as \"behind\"");
    WaitReason r;
    r.code = *code;
    if (r.code == WaitCode::held_until || r.code == WaitCode::behind) r.when = time_at(object, "when", where);
    if (r.code == WaitCode::behind) r.ahead = text_at(object, "ahead", where);
    if (r.code == WaitCode::user_cap) r.cap = integer_at<int>(object, "cap", where);
    if (r.code == WaitCode::nproc0_busy) r.cpu = integer_at<int>(object, "cpu", where);
    if (r.code == WaitCode::needs_cpus) r.free_cpus = integer_at<int>(object, "free_cpus", where);
    if (has_request(r.code)) {
        r.nprocs_low = integer_at<int>(object, "nprocs_low", where);
        r.nprocs_high = integer_at<int>(object, "nprocs_high", where);
        r.tpip = integer_at<int>(object, "tpip", where);
        r.faults = read_faults(object, where);
    }
    return r;
}

}  // namespace lobos
