#include "pulse/health/primary_choice.hpp"

#include <algorithm>

namespace lobos {

bool hears_enough(const ClusterHearing& hearing) {
    return hearing.other_masters == 0 || hearing.others_heard > 0;
}

std::chrono::steady_clock::duration hearing_horizon(std::chrono::steady_clock::duration heartbeat,
                                                    std::chrono::steady_clock::duration node_timeout) {
    return std::min(2 * heartbeat, node_timeout);
}

PrimaryChoice choose_primary(std::span<const MasterHeard> ranked_above, const ClusterHearing& hearing,
                             std::chrono::steady_clock::duration since_start,
                             std::chrono::steady_clock::duration master_timeout, bool primary) {
    const MasterHeard* silent = nullptr;
    for (const MasterHeard& m : ranked_above) {
        if (m.heard) {
            if (primary) return {PrimaryChoice::Action::stand_down, "a master of lower rank is heard again"};
            return {PrimaryChoice::Action::wait, m.name + " is up and ranked above"};
        }
        if (!silent) silent = &m;
    }
    // Cut off, or every other host down: a master that hears some host judges better.
    if (!hears_enough(hearing)) {
        if (primary) return {PrimaryChoice::Action::stand_down, "it hears no other host"};
        return {PrimaryChoice::Action::wait, "it hears no other host"};
    }
    // Just started, a master ranked above may not have been heard yet only
    // because there was no time to: wait MasterTimeOut before claiming.
    if (silent && since_start < master_timeout) {
        if (primary) return {PrimaryChoice::Action::stand_down, "a master of lower rank is heard again"};
        return {PrimaryChoice::Action::wait, "starting: waiting to hear " + silent->name};
    }
    return {PrimaryChoice::Action::claim, {}};
}

LeaseStep after_claim(ClaimResult result, std::uint64_t claimed_epoch,
                      std::optional<std::uint64_t> held_epoch) {
    switch (result) {
        case ClaimResult::held:
            return held_epoch == claimed_epoch ? LeaseStep::renewed : LeaseStep::take_over;
        case ClaimResult::taken_by_other:
            return held_epoch ? LeaseStep::lost : LeaseStep::wait_for_expiry;
        case ClaimResult::lock_busy:
        case ClaimResult::io_error:
            return LeaseStep::retry;
    }
    return LeaseStep::retry;
}

}  // namespace lobos
