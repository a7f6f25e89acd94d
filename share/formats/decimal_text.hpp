#pragma once
// Whole numbers in the status files' text (job_status, node_status): written
// without the locale (a thousands separator would break the columns) and
// read strictly, because a field that is not exactly a number in range marks
// a line the reader skips.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace lobos {

// `value` in decimal, padded with zeros to `width` digits ("08" for 8, 2).
void append_decimal(std::string& out, long long value, int width);

// The number that is all of `text` (digits, '-' for a negative one; no '+',
// no blanks), when it lies in [min, max].
template <typename Number>
std::optional<Number> decimal_in(std::string_view text, Number min, Number max) {
    Number value{};
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(text.data(), last, value);
    if (text.empty() || ec != std::errc() || end != last || value < min || value > max) return std::nullopt;
    return value;
}

}  // namespace lobos
