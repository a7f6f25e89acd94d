#pragma once
// What a job's script sees when it starts (SPEC section 4, "What a job
// sees"): the submitter's environment, with the user's identity and the
// LOBOS_* variables set over it, and the node list file's contents. Pure: the
// shepherd looks the user up and writes the file.

#include <optional>
#include <string>
#include <vector>

#include "lobosq/job/node_orders.hpp"

namespace lobos {

// The user the job runs as, from the password database.
struct JobUser {
    std::string name;
    std::string home;
    std::string shell;
};

// Used when the submitter's environment has no PATH, so that a script can
// still find the ordinary commands.
inline constexpr const char* default_job_path = "/usr/local/bin:/usr/bin:/bin";

// "NAME=value" strings, sorted by name: spec.environment (less any entry
// whose name is empty or holds '=' or a NUL, which exec cannot pass on), with
// USER, LOGNAME, HOME, SHELL, LOBOS_JOBID, LOBOS_NPROCS, LOBOS_TPIP,
// LOBOS_CPUS ("1,3"), LOBOS_NODES (each host once, NODE0 first) and
// LOBOS_NODEFILE set over it.
std::vector<std::string> job_environment(const StartOrder& order, const JobUser& user,
                                         const std::string& nodefile_path);

// The LOBOS_NODEFILE: one line per CPU naming its host, in placement order
// (as an MPI host file lists a host once per slot).
std::string nodefile_contents(const Placement& placement);

// The name of the node list file that every job of this placement's hosts
// can share ("hosts-n01,n01,n02": the contents, one host per CPU, as a file
// name; host names hold no ',' or '/'), or nullopt when that name would be
// too long for a file name. See the shepherd for why files are shared.
std::optional<std::string> shared_nodefile_name(const Placement& placement);

}  // namespace lobos
