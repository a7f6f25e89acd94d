#pragma once
// The head of each response, written by webstatus itself so that head and
// body leave in one write (CivetWeb's header functions send a line per
// write, which with Nagle's algorithm and delayed ACKs stalls keep-alive
// clients). Pure.

#include <optional>
#include <string>
#include <string_view>

namespace lobos::web {

struct ResponseHead {
    int status = 200;
    std::string_view content_type = "application/json";
    std::optional<std::size_t> content_length;  // none: chunked (HTTP/1.1) or until close
    bool keep_alive = true;
    bool chunked = false;
    std::string_view cache_control = "no-store";
    bool html = false;  // adds the Content-Security-Policy of the page
};

// "HTTP/1.1 200 OK\r\n...\r\n\r\n".
std::string response_head(const ResponseHead& head);

// The reason phrase of a status the server sends ("Not Found").
std::string_view status_text(int status);

// Whether the connection stays open after this request, as CivetWeb decides
// it with keep-alive enabled: a Connection header with the keep-alive token,
// or none on HTTP/1.1.
bool wants_keep_alive(std::string_view http_version, const char* connection_header);

// One server-sent event: "id: ID\nevent: NAME\ndata: DATA\n\n"; `data` must hold no newline.
std::string sse_event(std::string_view event, std::string_view data, std::optional<long long> id = {});

// One chunk of a chunked body: "1a\r\n...\r\n".
std::string http_chunk(std::string_view data);

}  // namespace lobos::web
