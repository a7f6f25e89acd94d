#include "pulse/heartbeat/heartbeat_key.hpp"

#include <sodium.h>

#include <stdexcept>
#include <utility>

namespace lobos {

// libsodium picks its SHA-256 code and opens its random source in
// sodium_init(), which must run before any other call; it is safe to call
// from several threads and more than once.
void ensure_sodium() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw std::runtime_error("libsodium could not be initialised (sodium_init failed)");
}

HeartbeatKey HeartbeatKey::from_bytes(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < min_heartbeat_key_bytes)
        throw std::invalid_argument("a heartbeat key needs at least " +
                                    std::to_string(min_heartbeat_key_bytes) + " bytes, got " +
                                    std::to_string(bytes.size()));
    return HeartbeatKey(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

// The keyed inner and outer SHA-256 states: as secret as the key itself.
struct HeartbeatKey::KeyedState {
    crypto_auth_hmacsha256_state hmac;
};

void HeartbeatKey::KeyedStateFree::operator()(KeyedState* state) const noexcept {
    sodium_memzero(state, sizeof *state);
    delete state;
}

HeartbeatKey::HeartbeatKey(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {
    ensure_sodium();
    keyed_.reset(new KeyedState);
    crypto_auth_hmacsha256_init(&keyed_->hmac, bytes_.data(), bytes_.size());
}

HeartbeatKey::HeartbeatKey(HeartbeatKey&& other) noexcept
    : bytes_(std::move(other.bytes_)), keyed_(std::move(other.keyed_)) {
    other.bytes_.clear();
}

HeartbeatKey& HeartbeatKey::operator=(HeartbeatKey&& other) noexcept {
    if (this != &other) {
        wipe();
        bytes_ = std::move(other.bytes_);
        keyed_ = std::move(other.keyed_);
        other.bytes_.clear();
    }
    return *this;
}

std::array<std::uint8_t, 32> HeartbeatKey::sign(std::span<const std::uint8_t> message) const {
    if (!keyed_) throw std::logic_error("HMAC-SHA256 with a heartbeat key that was moved from");
    static_assert(crypto_auth_hmacsha256_BYTES == 32);
    // A copy of the keyed state on the stack; _final wipes it.
    crypto_auth_hmacsha256_state state = keyed_->hmac;
    std::array<std::uint8_t, 32> tag{};
    crypto_auth_hmacsha256_update(&state, message.data(), message.size());
    crypto_auth_hmacsha256_final(&state, tag.data());
    return tag;
}

HeartbeatKey::~HeartbeatKey() { wipe(); }

void HeartbeatKey::wipe() noexcept { sodium_memzero(bytes_.data(), bytes_.size()); }

}  // namespace lobos
