#pragma once
// Jobs with every field set, for the codec tests of job records and node orders.

#include <chrono>

#include "lobosq/job/job.hpp"

namespace lobos::test {

// Nanoseconds matter: the codecs keep times exactly.
inline JobTime job_time(long long seconds, long long nanoseconds = 0) {
    return JobTime(std::chrono::duration_cast<JobClock::duration>(std::chrono::seconds(seconds) +
                                                                  std::chrono::nanoseconds(nanoseconds)));
}

inline JobSpec full_spec() {
    JobSpec spec;
    spec.id = "alice.261123101500";
    spec.user = "alice";
    spec.uid = 1001;
    spec.gid = 4294967294u;  // nogroup's 65534 is common; the largest gid_t must fit too
    spec.dir = "/home/alice/runs/\"quoted\" dir";
    spec.script = "#!/bin/sh\n#NPROCS 2-8\n#TPIP 2\necho \"héllo\"\tdone\n";
    spec.directives.etime_minutes = 30;
    spec.directives.confidence = 75;
    spec.directives.nprocs_low = 2;
    spec.directives.nprocs_high = 8;
    spec.directives.nproc0 = 3;
    spec.directives.tpip = 2;
    spec.directives.admin = true;
    spec.directives.rtime = job_time(1'795'000'000);
    spec.submitted = job_time(1'795'400'100, 123'456'789);
    spec.environment = {
        {"HOME", "/home/alice"}, {"PATH", "/usr/bin:/bin"}, {"EMPTY", ""}, {"LANG", "C.UTF-8"}};
    return spec;
}

inline Placement full_placement() { return Placement{{3, 4, 1, 2}, {"pe2", "pe2", "pe1", "pe1"}}; }

inline JobEnd full_end() {
    return JobEnd{JobOutcome::signalled, 0, 9, "killed after CancelGrace", job_time(1'795'403'700, 5)};
}

}  // namespace lobos::test
