// The heartbeat datagram: round trips, authentication, the layout's limits,
// and thousands of hostile datagrams (random, mutated, and mutated then
// signed with the right key so the parser itself sees them). The sanitizer
// build runs these too.

#include "pulse/heartbeat/heartbeat_codec.hpp"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>

#include <doctest/doctest.h>

using namespace lobos;

namespace {

using Bytes = std::vector<std::uint8_t>;

HeartbeatKey key_of(std::uint8_t seed) {
    Bytes bytes(32);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed + 7 * i);
    return HeartbeatKey::from_bytes(bytes);
}

HeartbeatReport full_report() {
    HeartbeatReport r;
    r.sender = 17;
    r.sequence = 0x0123456789ABCDEFull;
    r.channel = 3;
    r.sent_unix_ms = -1234567890123;  // negative on purpose: the field is signed
    r.load_average = 2.75f;
    r.memory_free_bytes = 3'000'000'000ull;
    r.memory_total_bytes = 17'179'869'184ull;
    r.cpus = {{0.0f, true}, {0.5f, true}, {1.0f, false}, {0.125f, true}};
    r.disks = {{1'000'000, 2'000'000}, {0, std::numeric_limits<std::uint64_t>::max()}};
    r.links = {{0, {{2, 10}, {65, 4'000'000'000u}}}, {4, {}}, {7, {{66, 0}}}};
    r.primary_epoch = 42;
    return r;
}

// Everything before the tag.
Bytes body_of(const Bytes& datagram) { return Bytes(datagram.begin(), datagram.end() - heartbeat_tag_bytes); }

// Appends a valid tag, computed here with libsodium keyed afresh (not the
// key's own pre-keyed state), so a test can sign bytes the encoder would never make.
Bytes signed_with(Bytes body, const HeartbeatKey& key) {
    REQUIRE(sodium_init() >= 0);
    crypto_auth_hmacsha256_state state;
    unsigned char tag[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&state, key.bytes().data(), key.bytes().size());
    crypto_auth_hmacsha256_update(&state, body.data(), body.size());
    crypto_auth_hmacsha256_final(&state, tag);
    REQUIRE(sizeof tag == heartbeat_tag_bytes);
    body.insert(body.end(), tag, tag + sizeof tag);
    return body;
}

void put_u16(Bytes& b, std::size_t at, std::uint16_t v) {
    for (int i = 0; i < 2; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put_u32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put_f32(Bytes& b, std::size_t at, float v) { put_u32(b, at, std::bit_cast<std::uint32_t>(v)); }

// Offsets of the documented layout.
constexpr std::size_t sender_at = 4;
constexpr std::size_t load_at = 28;
constexpr std::size_t cpu_count_at = 48;
constexpr std::size_t link_count_at = 52;
constexpr std::size_t arrays_at = 54;

DropReason reason_of(const Bytes& datagram, const HeartbeatKey& key) {
    DecodeResult result = decode_heartbeat(datagram, key);
    REQUIRE_FALSE(result.ok());
    return result.reason;
}

}  // namespace

TEST_SUITE("heartbeat codec") {
    TEST_CASE("a full report with CPUs, disks and links with peers decodes to an equal report") {
        HeartbeatKey key = key_of(1);
        HeartbeatReport report = full_report();
        Bytes datagram = encode_heartbeat(report, key);
        CHECK(datagram.size() == encoded_heartbeat_size(report));
        CHECK(datagram.size() == min_datagram_bytes + 4 * 5 + 2 * 16 + 3 * 6 + 3 * 8);
        CHECK(std::memcmp(datagram.data(), "LBH1", 4) == 0);

        DecodeResult result = decode_heartbeat(datagram, key);
        REQUIRE(result.ok());
        CHECK(*result.report == report);
    }

    TEST_CASE("an empty report decodes to an equal report and is the smallest datagram") {
        HeartbeatKey key = key_of(1);
        HeartbeatReport report;
        Bytes datagram = encode_heartbeat(report, key);
        CHECK(datagram.size() == min_datagram_bytes);
        DecodeResult result = decode_heartbeat(datagram, key);
        REQUIRE(result.ok());
        CHECK(*result.report == report);
        CHECK(result.report->channel == report_channel);
    }

    TEST_CASE("fields are little-endian at the documented offsets") {
        HeartbeatReport report;
        report.sender = 0x01020304;
        report.sequence = 0x1122334455667788ull;
        Bytes datagram = encode_heartbeat(report, key_of(1));
        CHECK(Bytes(datagram.begin() + 4, datagram.begin() + 8) == Bytes{0x04, 0x03, 0x02, 0x01});
        CHECK(Bytes(datagram.begin() + 8, datagram.begin() + 16) ==
              Bytes{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11});
        CHECK(Bytes(datagram.begin() + 16, datagram.begin() + 20) == Bytes{0xFF, 0xFF, 0xFF, 0xFF});
    }

    TEST_CASE("a datagram signed with another key is bad_tag") {
        Bytes datagram = encode_heartbeat(full_report(), key_of(1));
        CHECK(reason_of(datagram, key_of(2)) == DropReason::bad_tag);
    }

    TEST_CASE("flipping any one byte of a datagram, tag included, makes it bad_tag") {
        HeartbeatKey key = key_of(1);
        const Bytes datagram = encode_heartbeat(full_report(), key);
        for (std::size_t i = 0; i < datagram.size(); ++i) {
            for (std::uint8_t mask : {0x01, 0x80, 0xFF}) {
                Bytes altered = datagram;
                altered[i] ^= mask;
                CAPTURE(i);
                CHECK(reason_of(altered, key) == DropReason::bad_tag);
            }
        }
    }

    TEST_CASE("a datagram cut shorter than an empty report is malformed, a longer cut is bad_tag") {
        HeartbeatKey key = key_of(1);
        const Bytes datagram = encode_heartbeat(full_report(), key);
        for (std::size_t length = 0; length < datagram.size(); ++length) {
            Bytes cut(datagram.begin(), datagram.begin() + length);
            CAPTURE(length);
            CHECK(reason_of(cut, key) ==
                  (length < min_datagram_bytes ? DropReason::malformed : DropReason::bad_tag));
        }
    }

    TEST_CASE("64 KiB of garbage, or one byte over the limit, is oversized") {
        HeartbeatKey key = key_of(1);
        std::mt19937 random(7);
        Bytes garbage(64 * 1024);
        for (auto& b : garbage) b = static_cast<std::uint8_t>(random());
        CHECK(reason_of(garbage, key) == DropReason::oversized);
        CHECK(reason_of(Bytes(max_datagram_bytes + 1, 0), key) == DropReason::oversized);
        CHECK(reason_of(Bytes(max_datagram_bytes, 0), key) == DropReason::bad_tag);
    }

    TEST_CASE("a correctly signed body that breaks the layout is malformed") {
        HeartbeatKey key = key_of(1);
        HeartbeatReport one_cpu;
        one_cpu.cpus = {{0.5f, true}};
        const Bytes cpu_body = body_of(encode_heartbeat(one_cpu, key));
        HeartbeatReport one_peer;
        one_peer.links = {{1, {{2, 5}}}};
        const Bytes peer_body = body_of(encode_heartbeat(one_peer, key));

        // The unaltered bodies, signed again here, are accepted: the alterations below are what is refused.
        CHECK(decode_heartbeat(signed_with(cpu_body, key), key).ok());
        CHECK(decode_heartbeat(signed_with(peer_body, key), key).ok());

        Bytes b = cpu_body;
        SUBCASE("wrong magic") { b[3] = '2'; }
        SUBCASE("a trailing byte") { b.push_back(0); }
        SUBCASE("a missing byte") { b.pop_back(); }
        SUBCASE("a CPU count that runs past the end") { put_u16(b, cpu_count_at, 0xFFFF); }
        SUBCASE("a CPU count one too high") { put_u16(b, cpu_count_at, 2); }
        SUBCASE("a link count that runs past the end") { put_u16(b, link_count_at, 1); }
        SUBCASE("a sender above INT_MAX") { put_u32(b, sender_at, 0x80000000u); }
        SUBCASE("a load average that is NaN") {
            put_f32(b, load_at, std::numeric_limits<float>::quiet_NaN());
        }
        SUBCASE("a load average that is infinite") {
            put_f32(b, load_at, std::numeric_limits<float>::infinity());
        }
        SUBCASE("a negative load average") { put_f32(b, load_at, -1.0f); }
        SUBCASE("a utilisation above 1") { put_f32(b, arrays_at, 1.5f); }
        SUBCASE("a negative utilisation") { put_f32(b, arrays_at, -0.25f); }
        SUBCASE("a utilisation that is NaN") {
            put_f32(b, arrays_at, std::numeric_limits<float>::quiet_NaN());
        }
        SUBCASE("an online flag other than 0 or 1") { b[arrays_at + 4] = 2; }
        SUBCASE("a peer count that runs past the end") {
            b = peer_body;
            put_u16(b, arrays_at + 4, 0x1000);
        }
        SUBCASE("a peer id above INT_MAX") {
            b = peer_body;
            put_u32(b, arrays_at + 6, 0xFFFFFFFFu);
        }
        SUBCASE("a link index above INT_MAX") {
            b = peer_body;
            put_u32(b, arrays_at, 0x80000000u);
        }
        SUBCASE("only a magic") { b = Bytes{'L', 'B', 'H', '1'}; }
        SUBCASE("an empty body") { b.clear(); }
        CHECK(reason_of(signed_with(b, key), key) == DropReason::malformed);
    }

    TEST_CASE("a report that fits exactly is encoded, one peer more is length_error") {
        // 94 + 4 CPUs x 5 + one link (6) + 1009 peers x 8 = 8192.
        HeartbeatKey key = key_of(1);
        HeartbeatReport report;
        report.cpus.assign(4, CpuSample{0.25f, true});
        LinkHeard hub{5, {}};
        for (int i = 0; i < 1009; ++i) hub.heard.push_back({i, static_cast<std::uint32_t>(i)});
        report.links = {hub};
        REQUIRE(encoded_heartbeat_size(report) == max_datagram_bytes);
        Bytes datagram = encode_heartbeat(report, key);
        CHECK(datagram.size() == max_datagram_bytes);
        DecodeResult result = decode_heartbeat(datagram, key);
        REQUIRE(result.ok());
        CHECK(*result.report == report);

        report.links[0].heard.push_back({2000, 1});
        CHECK(encoded_heartbeat_size(report) == max_datagram_bytes + 8);
        CHECK_THROWS_AS(encode_heartbeat(report, key), std::length_error);
    }

    TEST_CASE("the encoder refuses values the decoder would drop") {
        HeartbeatKey key = key_of(1);
        HeartbeatReport r = full_report();
        SUBCASE("a negative sender") { r.sender = -1; }
        SUBCASE("a negative link index") { r.links[0].link = -3; }
        SUBCASE("a negative peer id") { r.links[0].heard[0].peer = -2; }
        SUBCASE("a NaN load average") { r.load_average = std::numeric_limits<float>::quiet_NaN(); }
        SUBCASE("a negative load average") { r.load_average = -0.5f; }
        SUBCASE("a utilisation above 1") { r.cpus[1].utilisation = 1.0001f; }
        SUBCASE("an infinite utilisation") { r.cpus[1].utilisation = std::numeric_limits<float>::infinity(); }
        CHECK_THROWS_AS(encode_heartbeat(r, key), std::invalid_argument);
    }

    TEST_CASE("every drop reason has a distinct short snake_case name") {
        std::set<std::string_view> names;
        for (DropReason r :
             {DropReason::oversized, DropReason::malformed, DropReason::bad_tag, DropReason::unknown_sender,
              DropReason::wrong_address, DropReason::replayed, DropReason::stale_sequence}) {
            std::string_view name = to_string(r);
            CHECK_FALSE(name.empty());
            CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos);
            names.insert(name);
        }
        CHECK(names.size() == 7);
        CHECK(to_string(DropReason::bad_tag) == "bad_tag");
        CHECK(to_string(DropReason::stale_sequence) == "stale_sequence");
    }

    TEST_CASE("twenty thousand random and mutated datagrams each decode to a report or a reason") {
        HeartbeatKey key = key_of(1);
        const Bytes valid = encode_heartbeat(full_report(), key);
        std::mt19937 random(20240601);
        auto any = [&](std::size_t n) {
            return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
        };
        std::size_t accepted = 0, oversized = 0, bad_tag = 0, malformed = 0;

        for (int round = 0; round < 20000; ++round) {
            Bytes datagram;
            switch (round % 4) {
                case 0:  // random bytes of any length around the limits
                    datagram.resize(any(max_datagram_bytes + 200));
                    for (auto& b : datagram) b = static_cast<std::uint8_t>(random());
                    break;
                case 1:  // a valid datagram with a few bytes changed
                    datagram = valid;
                    for (std::size_t n = 1 + any(4); n > 0; --n)
                        datagram[any(datagram.size())] ^= 1 + any(255);
                    break;
                case 2:  // a valid datagram cut or extended
                    datagram = valid;
                    datagram.resize(any(2 * valid.size()), static_cast<std::uint8_t>(random()));
                    break;
                default:  // a valid datagram, untouched or with its tag moved
                    datagram = valid;
                    if (any(2) == 0)
                        std::rotate(datagram.begin(), datagram.begin() + any(datagram.size()),
                                    datagram.end());
                    break;
            }
            DecodeResult result = decode_heartbeat(datagram, key);
            if (result.ok()) {
                ++accepted;
                CHECK(datagram == valid);
            } else if (result.reason == DropReason::oversized) {
                ++oversized;
                CHECK(datagram.size() > max_datagram_bytes);
            } else if (result.reason == DropReason::bad_tag) {
                ++bad_tag;
            } else {
                ++malformed;
                CHECK(result.reason == DropReason::malformed);
            }
        }
        CHECK(accepted > 0);
        CHECK(oversized > 0);
        CHECK(bad_tag > 0);
        CHECK(malformed > 0);
        CHECK(accepted + oversized + bad_tag + malformed == 20000);
    }

    TEST_CASE("twenty thousand mutated bodies signed with the right key give a report or malformed") {
        // Signed after mutating, so they pass the tag check and reach the parser.
        HeartbeatKey key = key_of(1);
        const Bytes valid_body = body_of(encode_heartbeat(full_report(), key));
        std::mt19937 random(19970920);
        auto any = [&](std::size_t n) {
            return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
        };
        const std::uint8_t interesting[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE};
        std::size_t accepted = 0, malformed = 0;

        for (int round = 0; round < 20000; ++round) {
            Bytes body = valid_body;
            for (std::size_t n = 1 + any(3); n > 0; --n) {
                switch (any(6)) {
                    case 0:
                        body[any(body.size())] = static_cast<std::uint8_t>(random());
                        break;
                    case 1:  // a boundary value, where counts and float exponents live
                        body[any(body.size())] = interesting[any(std::size(interesting))];
                        break;
                    case 2:
                        body.resize(any(body.size() + 1));
                        break;
                    case 3:
                        body.insert(body.begin() + any(body.size() + 1), 1 + any(16),
                                    static_cast<std::uint8_t>(random()));
                        break;
                    case 4:
                        if (!body.empty()) body.erase(body.begin() + any(body.size()));
                        break;
                    default:  // a count field (CPUs, disks, links) set to anything
                        if (body.size() >= arrays_at) put_u16(body, cpu_count_at + 2 * any(3), random());
                        break;
                }
                if (body.empty()) body.push_back(0);
            }
            Bytes datagram = signed_with(body, key);
            DecodeResult result = decode_heartbeat(datagram, key);
            if (result.ok()) {
                ++accepted;
                // The layout has one encoding per report, so whatever is accepted encodes back to the same
                // bytes.
                CHECK(encode_heartbeat(*result.report, key) == datagram);
            } else {
                ++malformed;
                CHECK(result.reason == DropReason::malformed);
            }
        }
        CHECK(accepted > 0);
        CHECK(malformed > 0);
    }
}
