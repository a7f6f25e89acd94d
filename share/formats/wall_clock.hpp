#pragma once
// The one wall clock of LoBoS: every time that is written to a file, sent to
// another host or shown to a person is a WallTime. The pure code never asks
// the clock for the time; the edges read it and pass it in. Durations that
// only one process measures use std::chrono::steady_clock at those edges.

#include <chrono>

namespace lobos {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

}  // namespace lobos
