#include "config/field_reader.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace lobos {
namespace {

std::string shortest(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

// A finite decimal number such as `90.`, `0.5` or `1e3`, the whole text.
std::optional<double> decimal(std::string_view text) {
    double value = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (text.starts_with('+')) ++first;  // from_chars does not take a plus sign
    auto [end, ec] = std::from_chars(first, last, value, std::chars_format::general);
    if (ec != std::errc{} || end != last || first == last || !std::isfinite(value)) return std::nullopt;
    return value;
}

}  // namespace

std::optional<long long> FieldReader::integer(std::string_view field, std::string_view text, long long min,
                                              long long max) {
    long long value = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (text.starts_with('+')) ++first;  // from_chars does not take a plus sign
    auto [end, ec] = std::from_chars(first, last, value);
    if (ec == std::errc::result_out_of_range) {
        error(field, text, "number is out of range");
        return std::nullopt;
    }
    if (ec != std::errc{} || end != last || first == last) {
        error(field, text, "not a whole number");
        return std::nullopt;
    }
    if (value < 0 && min >= 0) {
        error(field, text, "must not be negative");
        return std::nullopt;
    }
    if (value < min || value > max) {
        error(field, text, "must be between " + std::to_string(min) + " and " + std::to_string(max));
        return std::nullopt;
    }
    return value;
}

std::optional<double> FieldReader::real(std::string_view field, std::string_view text, double min,
                                        double max) {
    std::optional<double> parsed = decimal(text);
    if (!parsed) {
        error(field, text, "not a number");
        return std::nullopt;
    }
    const double value = *parsed;
    if (value < 0 && min >= 0) {
        error(field, text, "must not be negative");
        return std::nullopt;
    }
    if (value < min || value > max) {
        std::string range = max == std::numeric_limits<double>::max()
                                ? "at least " + shortest(min)
                                : "between " + shortest(min) + " and " + shortest(max);
        error(field, text, "must be " + range);
        return std::nullopt;
    }
    return value;
}

std::optional<double> FieldReader::positive_seconds(std::string_view field, std::string_view text) {
    std::optional<double> value = decimal(text);
    if (!value) {
        error(field, text, "not a number of seconds");
        return std::nullopt;
    }
    if (*value <= 0) {
        error(field, text, "must be more than 0 seconds");
        return std::nullopt;
    }
    return value;
}

bool FieldReader::ipv4(std::string_view field, std::string_view text) {
    if (is_ipv4_address(text)) return true;
    error(field, text, "not an IPv4 address (four numbers 0-255 joined by dots)");
    return false;
}

void FieldReader::error(std::string_view field, std::string_view value, std::string message) {
    diagnostics_.push_back(
        {Severity::error, file_, line_, std::string(field), std::string(value), std::move(message)});
}

void FieldReader::warning(std::string_view field, std::string_view value, std::string message) {
    diagnostics_.push_back(
        {Severity::warning, file_, line_, std::string(field), std::string(value), std::move(message)});
}

bool is_ipv4_address(std::string_view text) {
    if (text.size() > 15) return false;
    std::string terminated(text);  // inet_pton wants a C string
    in_addr addr{};
    return inet_pton(AF_INET, terminated.c_str(), &addr) == 1;
}

}  // namespace lobos
