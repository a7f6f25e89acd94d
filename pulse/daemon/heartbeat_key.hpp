#pragma once
// The cluster's heartbeat key: the secret every host signs and checks
// heartbeat datagrams with (HMAC-SHA256), so a report is taken only from a
// host that holds it.
//
// The key file (pulse.conf's KeyFile) is one line of hex, at least 64 hex
// digits (32 bytes), lower or upper case, with an optional trailing newline,
// so an operator can copy it between hosts. It must not be accessible to
// others (mode & 0007 == 0); group access is left to the site, which may
// share the file with an operators' group.
//
// load_heartbeat_key and write_new_heartbeat_key are the I/O edge of the
// core: the only functions here that touch files.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

namespace lobos {

inline constexpr std::size_t min_heartbeat_key_bytes = 32;

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

// Reads a key file. Throws std::runtime_error naming the path when the file
// does not exist, cannot be read, is not a regular file, is accessible to
// others, is empty, is not one line of hex, or holds fewer than
// min_heartbeat_key_bytes bytes.
HeartbeatKey load_heartbeat_key(const std::filesystem::path& path);

// Writes a new random key (32 bytes from libsodium's randombytes_buf, that is
// the kernel's generator) to `path` with mode 0600. The file appears whole or
// not at all: the key is written and synced to a temporary file in the same
// directory, which is then
// linked into place. Throws std::runtime_error naming the path if a file
// already exists there (a key is never overwritten: every host must hold the
// same one) or the file cannot be written.
void write_new_heartbeat_key(const std::filesystem::path& path);

}  // namespace lobos
