#include "share/formats/wake_up_message.hpp"

#include <array>
#include <utility>

namespace lobos {
namespace {

constexpr std::array<std::pair<WakeUpKind, std::string_view>, 3> texts{{
    {WakeUpKind::spool, "lobos look spool"},
    {WakeUpKind::reports, "lobos look reports"},
    {WakeUpKind::orders, "lobos look orders"},
}};

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

}  // namespace lobos
