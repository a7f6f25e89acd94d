#pragma once
// The wake-up datagram: one UDP datagram whose whole payload is the ASCII
// text "lobos look " followed by a kind word, no terminator:
//
//   lobos look spool    to a master's lobosqd: a request is in ROOT/spool
//   lobos look reports  to a master's lobosqd: a runner wrote a job's state
//   lobos look orders   to a compute node's lobos-runner: its orders changed
//
// It carries no authority: the receiver only looks at its files now instead
// of at its next rescan, and checks what it finds exactly as always. So it
// needs no key, and anything else that arrives is dropped.

#include <optional>
#include <string_view>

namespace lobos {

enum class WakeUpKind { spool, reports, orders };

// The datagram's payload for `kind`.
std::string_view wake_up_text(WakeUpKind kind);

// The kind of a payload that is exactly one of the texts above; none for anything else.
std::optional<WakeUpKind> parse_wake_up(std::string_view payload);

// The longest payload: a receive buffer one byte longer tells a longer datagram apart.
inline constexpr std::size_t wake_up_max_size = 32;

}  // namespace lobos
