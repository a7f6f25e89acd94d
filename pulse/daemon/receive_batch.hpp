#pragma once
// Reading many datagrams with one system call (recvmmsg): a master receives
// thousands a second, and a call per datagram costs more than most of what
// is done with one. One batch serves every socket of a daemon, read one
// after the other on its I/O thread.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "pulse/heartbeat/heartbeat_codec.hpp"

namespace lobos {

class ReceiveBatch {
public:
    static constexpr int capacity = 64;
    // One byte more than a heartbeat may have, so that a longer datagram
    // comes back longer than that (cut short) and is dropped as oversized.
    static constexpr std::size_t slot_bytes = max_datagram_bytes + 1;

    ReceiveBatch();

    // Reads up to `capacity` datagrams waiting on `fd` without blocking;
    // returns how many (0 when none is waiting or on an error).
    int receive(int fd);

    std::span<const std::uint8_t> datagram(int i) const;
    const sockaddr_in& from(int i) const { return from_[static_cast<std::size_t>(i)]; }

private:
    // Left uninitialised: a compute node, which gets a datagram or two at a
    // time, never touches most of these 512 KiB, so they stay out of its
    // resident memory.
    std::unique_ptr<std::uint8_t[]> buffers_;
    std::array<iovec, capacity> iov_{};
    std::array<sockaddr_in, capacity> from_{};
    std::array<mmsghdr, capacity> headers_{};
};

}  // namespace lobos
