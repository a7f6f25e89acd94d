#include "pulse/health/primary_choice.hpp"

namespace lobos {

PrimaryChoice choose_primary(std::span<const MasterHeard> ranked_above,
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
