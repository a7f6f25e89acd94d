#include "pulse/heartbeat/heartbeat_codec.hpp"

#include <sodium/utils.h>

#include <array>
#include <bit>
#include <climits>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace lobos {
namespace {

constexpr std::array<std::uint8_t, 4> magic = {'L', 'B', 'H', '1'};
constexpr std::size_t header_bytes = 54;  // magic through the three counts
constexpr std::size_t cpu_bytes = 5;
constexpr std::size_t disk_bytes = 16;
constexpr std::size_t link_bytes = 6;  // without its peers
constexpr std::size_t peer_bytes = 8;
constexpr std::size_t epoch_bytes = 8;
static_assert(min_datagram_bytes == header_bytes + epoch_bytes + heartbeat_tag_bytes);
static_assert(std::numeric_limits<float>::is_iec559, "the layout sends IEEE-754 binary32 floats");

using Tag = std::array<std::uint8_t, heartbeat_tag_bytes>;

Tag compute_tag(std::span<const std::uint8_t> bytes, const HeartbeatKey& key) { return key.sign(bytes); }

// Appends fixed-width little-endian fields one byte at a time, so the layout
// does not depend on the host's byte order or struct padding.
class DatagramWriter {
public:
    explicit DatagramWriter(std::size_t expected_size) { bytes_.reserve(expected_size); }

    void u8(std::uint8_t v) { bytes_.push_back(v); }
    void u16(std::uint16_t v) { little_endian(v, 2); }
    void u32(std::uint32_t v) { little_endian(v, 4); }
    void u64(std::uint64_t v) { little_endian(v, 8); }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
    void raw(std::span<const std::uint8_t> v) { bytes_.insert(bytes_.end(), v.begin(), v.end()); }

    std::vector<std::uint8_t>& bytes() { return bytes_; }

private:
    void little_endian(std::uint64_t v, int width) {
        for (int i = 0; i < width; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }

    std::vector<std::uint8_t> bytes_;
};

// Reads fixed-width little-endian fields; a read past the end fails the
// reader for good and yields zero, so a caller checks once at the end (and
// before trusting a count).
class DatagramReader {
public:
    explicit DatagramReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    std::uint8_t u8() { return static_cast<std::uint8_t>(little_endian(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(little_endian(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(little_endian(4)); }
    std::uint64_t u64() { return little_endian(8); }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    float f32() { return std::bit_cast<float>(u32()); }

    // Marks the input malformed for a reason the reader cannot see (a value out of range).
    void reject() { failed_ = true; }
    bool failed() const { return failed_; }
    std::size_t remaining() const { return failed_ ? 0 : bytes_.size() - offset_; }
    bool at_end() const { return !failed_ && offset_ == bytes_.size(); }

private:
    std::uint64_t little_endian(std::size_t width) {
        if (failed_ || bytes_.size() - offset_ < width) {
            failed_ = true;
            return 0;
        }
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < width; ++i) v |= std::uint64_t{bytes_[offset_ + i]} << (8 * i);
        offset_ += width;
        return v;
    }

    std::span<const std::uint8_t> bytes_;
    std::size_t offset_ = 0;
    bool failed_ = false;
};

// Ids travel as u32 but are ints here: a negative one would come back as a different id.
std::uint32_t id_field(int id, const char* what) {
    if (id < 0)
        throw std::invalid_argument(std::string("heartbeat ") + what +
                                    " id is negative: " + std::to_string(id));
    return static_cast<std::uint32_t>(id);
}

int read_id(DatagramReader& in) {
    std::uint32_t v = in.u32();
    if (v > static_cast<std::uint32_t>(INT_MAX)) {
        in.reject();
        return 0;
    }
    return static_cast<int>(v);
}

std::uint16_t count_field(std::size_t count, const char* what) {
    if (count > UINT16_MAX)
        throw std::length_error(std::string("heartbeat report lists ") + std::to_string(count) + " " + what +
                                "; at most 65535 fit the datagram's count");
    return static_cast<std::uint16_t>(count);
}

bool valid_utilisation(float u) { return std::isfinite(u) && u >= 0.0f && u <= 1.0f; }
bool valid_load(float load) { return std::isfinite(load) && load >= 0.0f; }

void check_encodable(const HeartbeatReport& report) {
    std::size_t size = encoded_heartbeat_size(report);
    if (size > max_datagram_bytes)
        throw std::length_error("heartbeat report needs " + std::to_string(size) + " bytes, more than the " +
                                std::to_string(max_datagram_bytes) + " of a datagram: list fewer peers");
    if (!valid_load(report.load_average))
        throw std::invalid_argument("heartbeat load average is not a finite number >= 0: " +
                                    std::to_string(report.load_average));
    for (const CpuSample& cpu : report.cpus)
        if (!valid_utilisation(cpu.utilisation))
            throw std::invalid_argument("heartbeat CPU utilisation is not in [0,1]: " +
                                        std::to_string(cpu.utilisation));
}

}  // namespace

std::string_view to_string(DropReason reason) {
    switch (reason) {
        case DropReason::oversized:
            return "oversized";
        case DropReason::malformed:
            return "malformed";
        case DropReason::bad_tag:
            return "bad_tag";
        case DropReason::unknown_sender:
            return "unknown_sender";
        case DropReason::wrong_address:
            return "wrong_address";
        case DropReason::replayed:
            return "replayed";
        case DropReason::stale_sequence:
            return "stale_sequence";
    }
    return "unknown_reason";
}

std::size_t encoded_heartbeat_size(const HeartbeatReport& report) {
    std::size_t size = min_datagram_bytes + report.cpus.size() * cpu_bytes + report.disks.size() * disk_bytes;
    for (const LinkHeard& link : report.links) size += link_bytes + link.heard.size() * peer_bytes;
    return size;
}

std::vector<std::uint8_t> encode_heartbeat(const HeartbeatReport& report, const HeartbeatKey& key) {
    check_encodable(report);
    DatagramWriter out(encoded_heartbeat_size(report));
    out.raw(magic);
    out.u32(id_field(report.sender, "sender"));
    out.u64(report.sequence);
    out.u32(report.channel);
    out.i64(report.sent_unix_ms);
    out.f32(report.load_average);
    out.u64(report.memory_free_bytes);
    out.u64(report.memory_total_bytes);
    out.u16(count_field(report.cpus.size(), "CPUs"));
    out.u16(count_field(report.disks.size(), "disks"));
    out.u16(count_field(report.links.size(), "links"));
    for (const CpuSample& cpu : report.cpus) {
        out.f32(cpu.utilisation);
        out.u8(cpu.online ? 1 : 0);
    }
    for (const DiskSample& disk : report.disks) {
        out.u64(disk.free_bytes);
        out.u64(disk.total_bytes);
    }
    for (const LinkHeard& link : report.links) {
        out.u32(id_field(link.link, "link"));
        out.u16(count_field(link.heard.size(), "peers on one link"));
        for (const PeerHeard& peer : link.heard) {
            out.u32(id_field(peer.peer, "peer"));
            out.u32(peer.age_ms);
        }
    }
    out.u64(report.primary_epoch);
    Tag tag = compute_tag(out.bytes(), key);
    out.raw(tag);
    return std::move(out.bytes());
}

DecodeResult decode_heartbeat(std::span<const std::uint8_t> datagram, const HeartbeatKey& key) {
    if (datagram.size() > max_datagram_bytes) return {std::nullopt, DropReason::oversized};
    if (datagram.size() < min_datagram_bytes) return {std::nullopt, DropReason::malformed};

    std::span<const std::uint8_t> body = datagram.first(datagram.size() - heartbeat_tag_bytes);
    std::span<const std::uint8_t> tag = datagram.last(heartbeat_tag_bytes);
    Tag expected = compute_tag(body, key);
    // Constant time, so the time taken says nothing about how much of a forged tag was right.
    if (sodium_memcmp(expected.data(), tag.data(), heartbeat_tag_bytes) != 0)
        return {std::nullopt, DropReason::bad_tag};

    const DecodeResult malformed{std::nullopt, DropReason::malformed};
    DatagramReader in(body);
    for (std::uint8_t m : magic)
        if (in.u8() != m) return malformed;

    HeartbeatReport r;
    r.sender = read_id(in);
    r.sequence = in.u64();
    r.channel = in.u32();
    r.sent_unix_ms = in.i64();
    r.load_average = in.f32();
    r.memory_free_bytes = in.u64();
    r.memory_total_bytes = in.u64();
    std::size_t cpu_count = in.u16();
    std::size_t disk_count = in.u16();
    std::size_t link_count = in.u16();
    if (in.failed() || !valid_load(r.load_average)) return malformed;
    // Checked before anything is allocated for them: counts must fit in what is left.
    if (cpu_count * cpu_bytes + disk_count * disk_bytes + link_count * link_bytes + epoch_bytes >
        in.remaining())
        return malformed;

    r.cpus.resize(cpu_count);
    for (CpuSample& cpu : r.cpus) {
        cpu.utilisation = in.f32();
        std::uint8_t online = in.u8();
        if (!valid_utilisation(cpu.utilisation) || online > 1) return malformed;
        cpu.online = online == 1;
    }
    r.disks.resize(disk_count);
    for (DiskSample& disk : r.disks) {
        disk.free_bytes = in.u64();
        disk.total_bytes = in.u64();
    }
    r.links.resize(link_count);
    for (LinkHeard& link : r.links) {
        link.link = read_id(in);
        std::size_t peer_count = in.u16();
        if (in.failed() || peer_count * peer_bytes > in.remaining()) return malformed;
        link.heard.resize(peer_count);
        for (PeerHeard& peer : link.heard) {
            peer.peer = read_id(in);
            peer.age_ms = in.u32();
        }
    }
    r.primary_epoch = in.u64();
    if (!in.at_end()) return malformed;
    return {std::move(r), DropReason::malformed};
}

}  // namespace lobos
