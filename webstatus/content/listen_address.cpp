#include "webstatus/content/listen_address.hpp"

#include <charconv>

namespace lobos::web {

namespace {

std::optional<unsigned> whole_number(std::string_view text, unsigned max) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

bool is_ipv4(std::string_view text) {
    int parts = 0;
    while (true) {
        const std::size_t dot = text.find('.');
        const std::string_view part = text.substr(0, dot);
        if (part.empty() || part.size() > 3 || !whole_number(part, 255)) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
    }
    return parts == 4;
}

}  // namespace

std::string ListenAddress::text() const { return host + ":" + std::to_string(port); }

ListenParse parse_listen_address(std::string_view text, std::uint16_t default_port) {
    ListenParse parse;
    if (text.empty()) {
        parse.address = ListenAddress{std::string(default_listen_host), default_port};
        return parse;
    }
    const std::size_t colon = text.rfind(':');
    std::string_view host = colon == std::string_view::npos ? text : text.substr(0, colon);
    std::optional<unsigned> port = default_port;
    if (colon != std::string_view::npos) {
        port = whole_number(text.substr(colon + 1), 65535);
        if (!port || *port == 0) {
            parse.error = "--listen '" + std::string(text) + "': the port must be a number from 1 to 65535";
            return parse;
        }
    } else if (text.find('.') == std::string_view::npos) {
        // A bare number is a port on loopback.
        port = whole_number(text, 65535);
        if (!port || *port == 0) {
            parse.error = "--listen '" + std::string(text) + "': expected ADDR:PORT, ADDR or PORT";
            return parse;
        }
        host = default_listen_host;
    }
    if (!is_ipv4(host)) {
        parse.error = "--listen '" + std::string(text) + "': '" + std::string(host) +
                      "' is not an IPv4 address (use 0.0.0.0 for every interface)";
        return parse;
    }
    parse.address = ListenAddress{std::string(host), static_cast<std::uint16_t>(*port)};
    return parse;
}

}  // namespace lobos::web
