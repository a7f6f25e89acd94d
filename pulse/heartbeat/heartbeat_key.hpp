#pragma once
// The cluster's heartbeat key: the secret every host signs and checks
// heartbeat datagrams with (HMAC-SHA256), so a report is taken only from a
// host that holds it.
//
// Pure but for libsodium: the key file is pulse/daemon/heartbeat_key_file.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace lobos {

inline constexpr std::size_t min_heartbeat_key_bytes = 32;

// Readies libsodium (sodium_init: picks its SHA-256 code, opens its random
// source); safe from several threads and more than once. Throws
// std::runtime_error if it cannot.
void ensure_sodium();

// Holds the key material and nothing else. It cannot be copied or printed,
// so the secret lives in one place, and it is wiped when destroyed.
class HeartbeatKey {
public:
    // Throws std::invalid_argument when `bytes` is shorter than min_heartbeat_key_bytes.
    static HeartbeatKey from_bytes(std::span<const std::uint8_t> bytes);

    HeartbeatKey(HeartbeatKey&& other) noexcept;
    HeartbeatKey& operator=(HeartbeatKey&& other) noexcept;
    HeartbeatKey(const HeartbeatKey&) = delete;
    HeartbeatKey& operator=(const HeartbeatKey&) = delete;
    ~HeartbeatKey();

    std::span<const std::uint8_t> bytes() const { return bytes_; }

    // HMAC-SHA256 of `message` with this key (libsodium). The key is hashed
    // into the inner and outer states once, when the key is made, and each
    // call starts from a copy of them (a master checks thousands of datagrams
    // a second). The keyed state is only read, so two threads may sign at once.
    std::array<std::uint8_t, 32> sign(std::span<const std::uint8_t> message) const;

private:
    // libsodium's keyed HMAC state, kept out of this header.
    struct KeyedState;
    struct KeyedStateFree {
        void operator()(KeyedState* state) const noexcept;
    };

    explicit HeartbeatKey(std::vector<std::uint8_t> bytes);
    void wipe() noexcept;

    std::vector<std::uint8_t> bytes_;
    std::unique_ptr<KeyedState, KeyedStateFree> keyed_;
};

}  // namespace lobos
