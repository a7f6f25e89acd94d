#include "pulse/daemon/receive_batch.hpp"

namespace lobos {

ReceiveBatch::ReceiveBatch() : buffers_(new std::uint8_t[capacity * slot_bytes]) {
    for (std::size_t i = 0; i < capacity; ++i) {
        iov_[i] = {buffers_.get() + i * slot_bytes, slot_bytes};
        headers_[i].msg_hdr.msg_name = &from_[i];
        headers_[i].msg_hdr.msg_iov = &iov_[i];
        headers_[i].msg_hdr.msg_iovlen = 1;
    }
}

int ReceiveBatch::receive(int fd) {
    // The kernel overwrote the address lengths of the last call's datagrams.
    for (std::size_t i = 0; i < capacity; ++i) headers_[i].msg_hdr.msg_namelen = sizeof from_[i];
    const int got = ::recvmmsg(fd, headers_.data(), capacity, MSG_DONTWAIT, nullptr);
    return got < 0 ? 0 : got;
}

std::span<const std::uint8_t> ReceiveBatch::datagram(int i) const {
    const auto slot = static_cast<std::size_t>(i);
    return {buffers_.get() + slot * slot_bytes, headers_[slot].msg_len};
}

}  // namespace lobos
