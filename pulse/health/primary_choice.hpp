#pragma once
// Which master is primary, decided without any I/O: the rule and its
// reactions to the lease, so that they are tested on their own. The
// primary is the master of lowest rank that is up; a master that has just
// started first waits MasterTimeOut to hear the masters ranked above it; a
// master may write only while it holds the lease (PrimaryLease), which the
// daemon claims when this choice says so.
//
// A master holds the lease only while it hears the cluster: where another
// master is configured, a master that heard no other host (master or compute
// node) within the hearing horizon does not claim, and a primary that hears
// no one steps down and releases the lease, so that a master that still
// hears the cluster takes over. A cut-off master cannot tell that it is cut
// off from every host being down; the master that hears some host is the
// better judge either way. The only master of a cluster keeps the lease
// whatever it hears: no one else could take over. The horizon is 2
// HeartBeats, or NodeTimeOut if shorter; the daemon checks it at every
// heartbeat and before every status write, so that with NodeTimeOut above 3
// HeartBeats (the default is 5) a master that is cut off writes none of the
// nodes it stopped hearing down: it steps down first.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace lobos {

// A master ranked above this one (a lower rank number), and whether it was
// heard within MasterTimeOut.
struct MasterHeard {
    std::string name;
    bool heard = false;
};

// What this master heard of the rest of the cluster within the hearing horizon.
struct ClusterHearing {
    int other_masters = 0;  // masters configured besides this one
    int others_heard = 0;   // other hosts (masters and compute nodes; hubs are no hosts) heard
};

// Whether `hearing` is enough to hold the lease (see above).
bool hears_enough(const ClusterHearing& hearing);

// How recently a host must have been heard to count in ClusterHearing.
std::chrono::steady_clock::duration hearing_horizon(std::chrono::steady_clock::duration heartbeat,
                                                    std::chrono::steady_clock::duration node_timeout);

struct PrimaryChoice {
    enum class Action {
        claim,       // claim or renew the lease: no master ranked above is up, and it hears enough
        stand_down,  // give the lease up: a master ranked above is heard again, or it hears no one
        wait,        // not primary, and not to become it now
    };
    Action action = Action::wait;
    std::string reason;  // for stand_down and wait: why, for the log
};

// `ranked_above`: the masters of lower rank than this one, in rank order.
// `hearing`: what it heard of the cluster. `since_start`: how long this
// master has run. `primary`: whether it holds an epoch now.
PrimaryChoice choose_primary(std::span<const MasterHeard> ranked_above, const ClusterHearing& hearing,
                             std::chrono::steady_clock::duration since_start,
                             std::chrono::steady_clock::duration master_timeout, bool primary);

// What a master does with the outcome of its claim.
enum class LeaseStep {
    take_over,        // held with an epoch not held before: become primary and reconcile
    renewed,          // held with the epoch already held: nothing changes
    lost,             // another master holds it while this one thought it primary
    wait_for_expiry,  // another master holds it; try again when it expires
    retry,            // the lock was busy, or the lease could not be read or written: try again
                      // next heartbeat, keeping the epoch (while_held checks it before any write)
};

enum class ClaimResult { held, taken_by_other, lock_busy, io_error };

LeaseStep after_claim(ClaimResult result, std::uint64_t claimed_epoch,
                      std::optional<std::uint64_t> held_epoch);

}  // namespace lobos
