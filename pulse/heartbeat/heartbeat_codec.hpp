#pragma once
// A HeartbeatReport as a UDP datagram, signed with the cluster's heartbeat
// key (HMAC-SHA256), and the reasons a received datagram is dropped.
//
// Layout: every integer little-endian, floats as IEEE-754 binary32 bits,
// no padding; `n x` repeats the bracketed part n times.
//
//   offset size  field
//        0    4  magic "LBH1"
//        4    4  sender                u32 (a NodeId, at most INT_MAX)
//        8    8  sequence              u64
//       16    4  channel               u32 (a LinkIndex, or report_channel)
//       20    8  sent_unix_ms          i64 (two's complement)
//       28    4  load_average          f32 (finite, >= 0)
//       32    8  memory_free_bytes     u64
//       40    8  memory_total_bytes    u64
//       48    2  cpu count   C         u16
//       50    2  disk count  D         u16
//       52    2  link count  L         u16
//       54       C x [utilisation f32 (in [0,1]), online u8 (0 or 1)]             5 bytes each
//                D x [free_bytes u64, total_bytes u64]                             16 bytes each
//                L x [link u32 (<= INT_MAX), peer count P u16,
//                     P x [peer u32 (<= INT_MAX), age_ms u32]]                    6 + 8 P bytes each
//                8  primary_epoch         u64
//               32  HMAC-SHA256 tag over every byte before it
//
// An empty report is 94 bytes (min_datagram_bytes); no datagram may exceed
// max_datagram_bytes.
//
// Over-size policy: the encoder never truncates. A report that would not fit
// (or whose counts exceed a u16) makes encode_heartbeat throw
// std::length_error; the sender caps its lists, chiefly the peers listed per
// hub link, and can check a report first with encoded_heartbeat_size. Every
// datagram encode_heartbeat returns decodes, with the same key, to an equal
// report: values the decoder would refuse are refused when encoding too
// (std::invalid_argument).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "pulse/heartbeat/heartbeat_key.hpp"
#include "share/formats/heartbeat.hpp"

namespace lobos {

inline constexpr std::size_t max_datagram_bytes = 8192;
inline constexpr std::size_t heartbeat_tag_bytes = 32;
// The size of a report with no CPUs, disks or links.
inline constexpr std::size_t min_datagram_bytes = 94;

// Why a datagram was not taken: the first five from the bytes and the
// configuration, the last two from the sequence numbers already accepted.
enum class DropReason {
    oversized,       // longer than max_datagram_bytes
    malformed,       // not a heartbeat of this layout, or a channel that is not the sender's
    bad_tag,         // not signed with this cluster's key, or altered on the way
    unknown_sender,  // the sender is not a host of the configuration (or is a hub)
    wrong_address,   // sent from an address that is not the sender's, or to a host its channel does not reach
    replayed,        // this sequence was already accepted from this sender on this channel
    stale_sequence,  // older than the last accepted from this sender on this channel
};

// Short snake_case names ("bad_tag"), used as counter names and in log lines.
std::string_view to_string(DropReason reason);

// The size encode_heartbeat would give `report`; may exceed max_datagram_bytes.
std::size_t encoded_heartbeat_size(const HeartbeatReport& report);

// Throws std::length_error when the datagram would exceed max_datagram_bytes,
// and std::invalid_argument for a value the receiver would refuse: a negative
// sender, link or peer id, a non-finite or negative load average, a
// utilisation that is not in [0,1].
std::vector<std::uint8_t> encode_heartbeat(const HeartbeatReport& report, const HeartbeatKey& key);

struct DecodeResult {
    std::optional<HeartbeatReport> report;      // set when the datagram is a valid, authentic heartbeat
    DropReason reason = DropReason::malformed;  // why not, when `report` is empty

    bool ok() const { return report.has_value(); }
};

// Checks, in order: the length (oversized; shorter than min_datagram_bytes is
// malformed), then the tag (bad_tag), and only then the body: a wrong magic,
// counts that run past the end, trailing bytes, ids above INT_MAX, non-finite
// floats, a utilisation outside [0,1], an online flag other than 0 or 1 are
// malformed. Unauthenticated bytes are never parsed. Never reads outside
// `datagram`, whatever it holds.
DecodeResult decode_heartbeat(std::span<const std::uint8_t> datagram, const HeartbeatKey& key);

}  // namespace lobos
