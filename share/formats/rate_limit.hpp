#pragma once
// A token bucket: at most `rate` events a second on average, with bursts of
// up to `burst` at once. The wake-up listeners cap with it what a flood of
// datagrams can make a daemon do. Pure: the time is passed in.

#include <chrono>

namespace lobos {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    // Starts full. `rate` tokens come back a second, up to `burst`.
    TokenBucket(double rate, double burst);

    // Takes a token when one is left at `now`; false when the event is over the rate.
    bool take(Clock::time_point now);

private:
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_{};
    bool started_ = false;
};

}  // namespace lobos
