#include "share/formats/rate_limit.hpp"

#include <algorithm>

namespace lobos {

TokenBucket::TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

bool TokenBucket::take(Clock::time_point now) {
    if (started_ && now > last_) {
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    }
    // A time earlier than the last one (two threads' clocks read out of
    // order) refills nothing, and does not move the bucket back.
    if (!started_ || now > last_) last_ = now;
    started_ = true;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

}  // namespace lobos
