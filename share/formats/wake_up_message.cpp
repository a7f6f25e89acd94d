#include "share/formats/wake_up_message.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace lobos {
namespace {

constexpr std::array<std::pair<WakeUpKind, std::string_view>, 4> texts{{
    {WakeUpKind::spool, "lobos look spool"},
    {WakeUpKind::reports, "lobos look reports"},
    {WakeUpKind::orders, "lobos look orders"},
    {WakeUpKind::answer, "lobos look answer"},
}};

// A decimal number of 1 to `digits` digits, no sign, no leading zero (but
// "0"), at most `max`; none otherwise.
std::optional<unsigned> decimal(std::string_view text, std::size_t digits, unsigned max) {
    if (text.empty() || text.size() > digits || (text.size() > 1 && text.front() == '0')) return std::nullopt;
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

static_assert(std::string_view("lobos look reports").size() <= wake_up_max_size);

}  // namespace

std::string_view wake_up_text(WakeUpKind kind) {
    for (const auto& [k, text] : texts)
        if (k == kind) return text;
    return {};
}

std::optional<WakeUpKind> parse_wake_up(std::string_view payload) {
    for (const auto& [k, text] : texts)
        if (payload == text) return k;
    return std::nullopt;
}

std::string format_wake_up_address(const WakeUpAddress& where) {
    return where.address + ":" + std::to_string(where.port);
}

std::optional<WakeUpAddress> parse_wake_up_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::optional<unsigned> port = decimal(text.substr(colon + 1), 5, 65535);
    if (!port || *port == 0) return std::nullopt;
    const std::string_view address = text.substr(0, colon);
    std::array<unsigned, 4> parts{};
    std::size_t from = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        // The last part runs to the end; the others to the next dot.
        const std::size_t dot = i + 1 < parts.size() ? address.find('.', from) : address.size();
        if (dot == std::string_view::npos) return std::nullopt;
        const std::optional<unsigned> part = decimal(address.substr(from, dot - from), 3, 255);
        if (!part) return std::nullopt;
        parts[i] = *part;
        from = dot + 1;
    }
    if (parts[0] == 0 || parts[0] >= 224) return std::nullopt;
    return WakeUpAddress{std::string(address), static_cast<std::uint16_t>(*port)};
}

}  // namespace lobos
