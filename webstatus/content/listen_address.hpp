#pragma once
// Where webstatus listens: `--listen ADDR:PORT`, `--listen ADDR` (the port
// from pulse.conf's WebPort) or `--listen PORT` (on loopback). Loopback
// unless told otherwise: the status of a cluster is not for every network.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lobos::web {

inline constexpr std::string_view default_listen_host = "127.0.0.1";

struct ListenAddress {
    std::string host;  // IPv4 dotted quad
    std::uint16_t port = 0;

    // "127.0.0.1:7380", as CivetWeb's listening_ports wants it.
    std::string text() const;
    bool operator==(const ListenAddress&) const = default;
};

struct ListenParse {
    std::optional<ListenAddress> address;
    std::string error;  // set when address is empty: what is wrong with the text
};

// `text` empty: default_listen_host and `default_port`.
ListenParse parse_listen_address(std::string_view text, std::uint16_t default_port);

}  // namespace lobos::web
