#pragma once
// Which second's job id a submission tries first. Ids are one second apart
// (share/formats/job_id.hpp), so a burst of n submissions by one user takes n
// consecutive seconds from now on, and trying each second in turn costs the
// n-th submission n lookups: at hundreds of jobs a second that was the
// largest part of a submission's time. Doubling the step, then halving it,
// finds the end of the taken run in a few lookups. Pure: `taken` looks.

#include <algorithm>

namespace lobos {

// The first second in [0, limit) that `taken` says is free, when the taken
// seconds from 0 on are one run (the usual case); otherwise some free second
// after a taken one, which serves as well: ids only need to be distinct,
// and the queue orders jobs by their submission time. `limit` when every
// second it looked at up to the limit was taken. `taken(s)` is called about
// 2 log2(n) times for a run of n.
template <typename Taken>
int first_untaken_second(int limit, Taken taken) {
    if (limit <= 0 || !taken(0)) return 0;
    int low = 0;  // taken
    int high = 1;
    while (high < limit && taken(high)) {
        low = high;
        high = std::min(limit, low + 2 * (low + 1));
    }
    // low is taken and high is not (limit counts as free): narrow down to two neighbours.
    while (high - low > 1) {
        const int middle = low + (high - low) / 2;
        (taken(middle) ? low : high) = middle;
    }
    return high;
}

}  // namespace lobos
