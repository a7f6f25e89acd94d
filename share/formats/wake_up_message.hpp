#pragma once
// The wake-up datagram: one UDP datagram whose whole payload is the ASCII
// text "lobos look " followed by a kind word, no terminator:
//
//   lobos look spool    to a master's lobosqd: a request is in ROOT/spool
//   lobos look reports  to a master's lobosqd: a runner wrote a job's state
//   lobos look orders   to a compute node's lobos-runner: its orders changed
//   lobos look answer   to a waiting lobosq: its answer is in ROOT/queue/answers
//
// It carries no authority: the receiver only looks at its files now instead
// of at its next rescan, and checks what it finds exactly as always. So it
// needs no key, and anything else that arrives is dropped.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lobos {

enum class WakeUpKind { spool, reports, orders, answer };

// The datagram's payload for `kind`.
std::string_view wake_up_text(WakeUpKind kind);

// The kind of a payload that is exactly one of the texts above; none for anything else.
std::optional<WakeUpKind> parse_wake_up(std::string_view payload);

// The longest payload: a receive buffer one byte longer tells a longer datagram apart.
inline constexpr std::size_t wake_up_max_size = 32;

// Where a waiting lobosq hears the "look now" for its answer: an IPv4
// unicast address and a UDP port, written "A.B.C.D:PORT" in a request (the
// "reply_to" of lobosq/job/spool_entry). A user names it, so the daemon
// sends there only the fixed text above, rate-limited: never more than a look.
struct WakeUpAddress {
    std::string address;  // dotted quad
    std::uint16_t port = 0;
    bool operator==(const WakeUpAddress&) const = default;
};

std::string format_wake_up_address(const WakeUpAddress& where);
// Exactly "A.B.C.D:PORT": four decimal parts of 0-255 without leading zeros,
// a port of 1-65535; none for anything else, and for addresses that are
// not one host's: 0.x, multicast (224-239.x) and 240.x and above (reserved,
// broadcast). Loopback is one host's (the demo cluster lives on 127.x).
std::optional<WakeUpAddress> parse_wake_up_address(std::string_view text);

}  // namespace lobos
