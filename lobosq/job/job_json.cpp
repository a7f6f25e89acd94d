#include "lobosq/job/job_json.hpp"

#include "share/formats/job_id.hpp"

namespace lobos::job_json {

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
