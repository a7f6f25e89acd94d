#pragma once
// A port number that no one on this machine uses now, from the kernel: so
// that two test runs at once (two clones, one machine) never share a port,
// as fixed numbers or numbers made from the process id could.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

namespace lobos::test {

namespace free_port_detail {

// Binds a socket of `type` to `port` (0: the kernel chooses) on every
// address; the port bound, or 0 when it is taken.
inline std::uint16_t bind_any(int type, std::uint16_t port) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons(port);
    socklen_t size = sizeof address;
    std::uint16_t bound = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0)
        bound = ntohs(address.sin_port);
    ::close(fd);
    return bound;
}

}  // namespace free_port_detail

// A port free for UDP and TCP alike on every address (pulse listens on UDP,
// webstatus on TCP with the same number). Another program may still take it
// before the test does; the kernel hands out a number it used lately last.
inline std::uint16_t free_udp_and_tcp_port() {
    for (int attempt = 0; attempt < 50; ++attempt) {
        const std::uint16_t port = free_port_detail::bind_any(SOCK_DGRAM, 0);
        if (port != 0 && free_port_detail::bind_any(SOCK_STREAM, port) == port) return port;
    }
    throw std::runtime_error("no port free for both UDP and TCP after 50 tries");
}

// A TCP port free on every address.
inline std::uint16_t free_tcp_port() {
    const std::uint16_t port = free_port_detail::bind_any(SOCK_STREAM, 0);
    if (port == 0) throw std::runtime_error("the kernel gave no free TCP port");
    return port;
}

}  // namespace lobos::test
