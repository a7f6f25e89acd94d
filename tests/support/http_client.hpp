#pragma once
// A plain HTTP/1.1 client over a TCP socket for tests of webstatus: one
// request a connection, bounded by a deadline, the request line sent as
// given (so a test can send "../" and bytes no browser would).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace lobos::test {

struct HttpReply {
    int status = 0;                              // 0: no reply (connection refused, or the deadline passed)
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;                            // as sent (chunk framing left in)
};

// Sends `request` (a whole request: line, headers, blank line) and reads the
// reply until the server closes or `deadline` passes.
HttpReply http_exchange(const std::string& address, std::uint16_t port, const std::string& request,
                        std::chrono::milliseconds deadline = std::chrono::seconds(5));

// GET (or another method) of `target` with "Connection: close".
HttpReply http_get(const std::string& address, std::uint16_t port, const std::string& target,
                   const std::string& method = "GET",
                   std::chrono::milliseconds deadline = std::chrono::seconds(5));

// A response read as it comes: for server-sent events.
class HttpStream {
public:
    HttpStream(const std::string& address, std::uint16_t port, const std::string& target);
    ~HttpStream();
    HttpStream(const HttpStream&) = delete;
    HttpStream& operator=(const HttpStream&) = delete;

    // Reads until what was received holds `text`, or `timeout` passes; false then.
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout);
    const std::string& received() const { return received_; }

private:
    int fd_ = -1;
    std::string received_;
};

}  // namespace lobos::test
