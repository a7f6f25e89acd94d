#pragma once
// Why a waiting job waits, as a code and the facts behind it rather than
// text: the planner decides, and each reader (lobosq stat, lobosq
// --test-only, webstatus) says it in English in its own time zone. Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "share/formats/wall_clock.hpp"

namespace lobos {

// The nodes of one fault that cannot give CPUs: "pe3, pe4 and 2 more unreachable".
struct NodeFaultGroup {
    std::string fault;               // "down", "unreachable", "disk full"
    std::vector<std::string> nodes;  // the first few, named
    int more = 0;                    // and this many more, not named

    bool operator==(const NodeFaultGroup&) const = default;
};
// Every fault, down first; empty when all nodes are well.
using NodeFaults = std::vector<NodeFaultGroup>;

// "pe5 down; pe3, pe4 and 2 more unreachable"; empty for none.
std::string describe_node_faults(const NodeFaults& faults);

enum class WaitCode {
    none,          // it starts now
    held_until,    // #RTIME later than now: `when`
    cannot_place,  // the nodes up now cannot give the CPUs asked for, whatever ends
    user_cap,      // the user runs `cap` jobs (UserJobCap) and no own node has room
    behind,        // a job ahead (`ahead`, starting at `when`) has the CPUs reserved
    nproc0_busy,   // the CPU the job must start on (`cpu`) is held
    needs_cpus,    // not enough CPUs free now: `free_cpus` of those asked for
    not_planned,   // came after the last scheduling pass
};

struct WaitReason {
    WaitCode code = WaitCode::none;
    WallTime when{};    // held_until: the RTIME; behind: the start of the job ahead
    std::string ahead;  // behind: the id of the job ahead
    int cap = 0;        // user_cap: UserJobCap
    int cpu = 0;        // nproc0_busy: the NPROC0 CPU
    // cannot_place, needs_cpus: what the job asks for, and what is free now.
    int nprocs_low = 1;
    int nprocs_high = 1;
    int tpip = 1;
    int free_cpus = 0;
    // cannot_place, needs_cpus: the nodes that cannot give CPUs.
    NodeFaults faults;

    bool waits() const { return code != WaitCode::none; }
    bool operator==(const WaitReason&) const = default;
};

WaitReason held_until(WallTime rtime);
WaitReason behind(std::string ahead, WallTime starts);

std::string_view code_name(WaitCode code);  // "held_until"
std::optional<WaitCode> wait_code_named(std::string_view name);

// Today's English texts, times in the local time zone of the reader (the
// TZ of the process): "held until 23:00 (#RTIME)", "behind bob.1 (starts
// Oct  8 18:23)", "user cap 4 reached", "NPROC0 CPU 3 is busy", "needs 8
// CPUs, 5 free; n05 down", "needs 8 CPUs (2 a node); the nodes up now cannot
// give them"; empty for none. `now` says which day is today.
std::string render_wait_reason(const WaitReason& reason, WallTime now);

// The JSON of a reason, as job_detail.json, the probe answer and webstatus
// carry it: {"code": "behind", "ahead": "bob.1", "when": ns since the epoch},
// only the fields of its code. The reader throws json_fields::FieldError naming
// the field (see share/formats/json_fields.hpp), as the other readers do.
nlohmann::json wait_reason_json(const WaitReason& reason);
WaitReason read_wait_reason(const nlohmann::json& value, const std::string& where);

}  // namespace lobos
