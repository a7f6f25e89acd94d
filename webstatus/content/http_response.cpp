#include "webstatus/content/http_response.hpp"

#include <cctype>
#include <cstdio>

namespace lobos::web {

namespace {

// The page and its scripts come from this server only: even if a value ever
// escaped escaping, no script from elsewhere (or inline) would run.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

bool has_token(std::string_view header, std::string_view token) {
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
        if (item.size() != token.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < item.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(item[i])) == token[i];
        if (same) return true;
    }
    return false;
}

}  // namespace

std::string_view status_text(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

bool wants_keep_alive(std::string_view http_version, const char* connection_header) {
    if (connection_header) return has_token(connection_header, "keep-alive");
    return http_version == "1.1";
}

std::string response_head(const ResponseHead& head) {
    std::string out;
    out.reserve(512);
    out += "HTTP/1.1 ";
    out += std::to_string(head.status);
    out += ' ';
    out += status_text(head.status);
    out += "\r\nContent-Type: ";
    out += head.content_type;
    if (head.content_length) {
        out += "\r\nContent-Length: ";
        out += std::to_string(*head.content_length);
    } else if (head.chunked) {
        out += "\r\nTransfer-Encoding: chunked";
    }
    out += "\r\nCache-Control: ";
    out += head.cache_control;
    out += "\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer";
    if (head.html) {
        out += "\r\nContent-Security-Policy: ";
        out += content_security_policy;
    }
    if (head.status == 405) out += "\r\nAllow: GET, HEAD";
    out += head.keep_alive ? "\r\nConnection: keep-alive" : "\r\nConnection: close";
    out += "\r\n\r\n";
    return out;
}

std::string sse_event(std::string_view event, std::string_view data, std::optional<long long> id) {
    std::string out;
    out.reserve(data.size() + event.size() + 40);
    if (id) {
        out += "id: ";
        out += std::to_string(*id);
        out += '\n';
    }
    out += "event: ";
    out += event;
    out += "\ndata: ";
    out += data;
    out += "\n\n";
    return out;
}

std::string http_chunk(std::string_view data) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string out(size);
    out += data;
    out += "\r\n";
    return out;
}

}  // namespace lobos::web
