#include "webstatus/content/log_stream.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "webstatus/content/http_response.hpp"

namespace lobos::web {

std::size_t utf8_complete_length(std::string_view bytes) {
    // Look back over at most 3 continuation bytes for the lead byte of the last sequence.
    const std::size_t n = bytes.size();
    for (std::size_t back = 1; back <= 4 && back <= n; ++back) {
        const auto c = static_cast<unsigned char>(bytes[n - back]);
        if ((c & 0xC0) == 0x80) continue;  // continuation: keep looking
        std::size_t need = 1;
        if ((c & 0xE0) == 0xC0)
            need = 2;
        else if ((c & 0xF0) == 0xE0)
            need = 3;
        else if ((c & 0xF8) == 0xF0)
            need = 4;
        return need > back ? n - back : n;
    }
    return n;
}

long long log_start_offset(std::optional<std::string_view> requested, long long size) {
    if (requested) {
        long long offset = -1;
        const auto [end, ec] =
            std::from_chars(requested->data(), requested->data() + requested->size(), offset);
        if (ec == std::errc() && end == requested->data() + requested->size() && offset >= 0 &&
            offset <= size)
            return offset;
    }
    return size > static_cast<long long>(log_tail_bytes) ? size - static_cast<long long>(log_tail_bytes) : 0;
}

std::string log_text_event(std::string_view text, long long offset_after) {
    const nlohmann::json data{{"text", text}};
    return sse_event("log", data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     offset_after);
}

std::string log_message_json(std::string_view message) {
    return nlohmann::json{{"message", message}}.dump(-1, ' ', false,
                                                     nlohmann::json::error_handler_t::replace);
}

std::string log_notice_event(std::string_view event, std::string_view json) { return sse_event(event, json); }

}  // namespace lobos::web
