#pragma once
// The directives of a job script (SPEC section 4): `#ETIME 30`, `#NPROCS 2-8`
// and the like, read from the script's leading comment block as #BSUB or
// #SBATCH lines are. The upper-case part of a name is the shortest accepted
// spelling and case does not matter: #CONF, #CONFidence and #confidence are
// the same. A comment whose word is all upper case but names no directive
// (#NPROC 4) is a mistake, not a comment; `# text` and `#!/bin/sh` are
// ordinary comments.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lobos {

struct JobDirectives {
    int etime_minutes = 60;  // #ETIME: estimated run time
    int confidence = 90;     // #CONFidence: percent sure that ETIME holds
    int nprocs_low = 4;      // #NPROCS n or nlow-nhigh
    int nprocs_high = 4;
    std::optional<int> nproc0;  // #NPROC0: the CPU (cluster numbering) for NODE0
    int tpip = 1;               // #TPIP: CPUs used on each node
    bool admin = false;         // #ADMIN: start at once, permanently (root only)
    std::optional<std::chrono::system_clock::time_point> rtime;  // #RTIME: start then (root only)

    bool operator==(const JobDirectives&) const = default;
};

struct DirectiveError {
    int line = 0;      // 1-based line of the script
    std::string text;  // the line as written
    std::string reason;
};

struct DirectivesRead {
    JobDirectives directives;
    std::vector<DirectiveError> errors;  // every problem, in line order

    bool ok() const { return errors.empty(); }
};

struct DirectiveContext {
    bool root = false;                            // the submitting user is root (#ADMIN, #RTIME allowed)
    int cluster_cpus = 0;                         // CPUs of all compute nodes; 0 = do not check
    std::chrono::system_clock::time_point now{};  // for #RTIME given as a time of day
};

DirectivesRead read_directives(std::string_view script, const DirectiveContext& context);

// "line 3: #NPROCS 0-4: below the minimum of 1"
std::string to_string(const DirectiveError& error);

}  // namespace lobos
