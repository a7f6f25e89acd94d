#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace lobos::test {
namespace {

using Clock = std::chrono::steady_clock;

int connect_to(const std::string& address, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Reads what arrives within `wait`; false once the peer closed.
bool read_some(int fd, std::string& into, std::chrono::milliseconds wait) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(0, wait.count()))) <= 0) return true;
    char buffer[16384];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    into.append(buffer, static_cast<std::size_t>(n));
    return true;
}

HttpReply parse_reply(const std::string& raw) {
    HttpReply reply;
    const std::size_t end = raw.find("\r\n\r\n");
    if (end == std::string::npos || !raw.starts_with("HTTP/1.")) return reply;
    const std::size_t space = raw.find(' ');
    reply.status = std::atoi(raw.c_str() + space + 1);
    std::size_t at = raw.find("\r\n") + 2;
    while (at < end) {
        const std::size_t line_end = raw.find("\r\n", at);
        const std::string line = raw.substr(at, line_end - at);
        const std::size_t colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            reply.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
        }
        at = line_end + 2;
    }
    reply.body = raw.substr(end + 4);
    return reply;
}

}  // namespace

HttpReply http_exchange(const std::string& address, std::uint16_t port, const std::string& request,
                        std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    const int fd = connect_to(address, port);
    if (fd < 0) return {};
    std::string raw;
    if (send_all(fd, request)) {
        while (Clock::now() < until) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            if (!read_some(fd, raw, left)) break;
            // A reply with a length is whole once that much body is here.
            HttpReply partial = parse_reply(raw);
            if (partial.status && partial.headers.count("content-length") &&
                partial.body.size() >= std::stoul(partial.headers["content-length"]))
                break;
        }
    }
    ::close(fd);
    return parse_reply(raw);
}

HttpReply http_get(const std::string& address, std::uint16_t port, const std::string& target,
                   const std::string& method, std::chrono::milliseconds deadline) {
    return http_exchange(
        address, port,
        method + " " + target + " HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n\r\n", deadline);
}

HttpStream::HttpStream(const std::string& address, std::uint16_t port, const std::string& target)
    : fd_(connect_to(address, port)) {
    if (fd_ < 0) throw std::runtime_error("cannot connect to " + address + ":" + std::to_string(port));
    send_all(fd_,
             "GET " + target + " HTTP/1.1\r\nHost: " + address + "\r\nAccept: text/event-stream\r\n\r\n");
}

HttpStream::~HttpStream() {
    if (fd_ >= 0) ::close(fd_);
}

bool HttpStream::wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    while (received_.find(text) == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (left.count() <= 0) return false;
        if (!read_some(fd_, received_, std::min(left, std::chrono::milliseconds(100))))
            return received_.find(text) != std::string::npos;
    }
    return true;
}

}  // namespace lobos::test
