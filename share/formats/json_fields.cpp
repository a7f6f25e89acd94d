#include "share/formats/json_fields.hpp"

#include <cmath>

namespace lobos::json_fields {

namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), as strict as nlohmann's dump, which throws on anything else.
bool valid_utf8(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;   // overlong
            if (c == 0xED) high = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;   // overlong
            if (c == 0xF4) high = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (i + length > bytes.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(bytes[i + k]);
            if (k == 1 ? next < low || next > high : next < 0x80 || next > 0xBF) return false;
        }
        i += length;
    }
    return true;
}

std::string from_hex(std::string_view hex, const std::string& where) {
    if (hex.size() % 2 != 0) expected(where, "an even number of hex digits");
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const std::size_t high = hex_digits.find(hex[i]);
        const std::size_t low = hex_digits.find(hex[i + 1]);
        if (high == std::string_view::npos || low == std::string_view::npos)
            expected(where, "lower-case hex digits");
        bytes += static_cast<char>(high * 16 + low);
    }
    return bytes;
}

}  // namespace

json text_value(std::string_view bytes) {
    if (valid_utf8(bytes)) return std::string(bytes);
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (char c : bytes) {
        hex += hex_digits[static_cast<unsigned char>(c) >> 4];
        hex += hex_digits[static_cast<unsigned char>(c) & 0xF];
    }
    return json{{"hex", std::move(hex)}};
}

json time_value(WallTime when) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
}

json optional_time_value(const std::optional<WallTime>& when) {
    return when ? time_value(*when) : json(nullptr);
}

std::string dump(const json& document) {
    // Every string went through text_value() and is valid UTF-8; `replace` only
    // keeps a writer from throwing should one ever not be.
    return document.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string member_path(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
}

std::string element_path(const std::string& where, std::size_t index) {
    return where + "[" + std::to_string(index) + "]";
}

void expected(const std::string& where, std::string_view what) {
    throw FieldError{(where.empty() ? std::string("the document") : where) + ": expected " +
                     std::string(what)};
}

const json& object_at(const json& value, const std::string& where) {
    if (!value.is_object()) expected(where, "an object");
    return value;
}

const json& member(const json& object, std::string_view key, const std::string& where) {
    auto found = object.find(key);
    if (found == object.end()) throw FieldError{member_path(where, key) + ": missing"};
    return *found;
}

const json* optional_member(const json& object, std::string_view key) {
    auto found = object.find(key);
    return found == object.end() || found->is_null() ? nullptr : &*found;
}

const json& array_at(const json& object, std::string_view key, const std::string& where) {
    const json& value = member(object, key, where);
    if (!value.is_array()) expected(member_path(where, key), "an array");
    return value;
}

std::string text_of(const json& value, const std::string& where) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.size() == 1 && value.contains("hex") && value["hex"].is_string())
        return from_hex(value["hex"].get_ref<const std::string&>(), where);
    expected(where, "a string");
}

std::string text_at(const json& object, std::string_view key, const std::string& where) {
    return text_of(member(object, key, where), member_path(where, key));
}

bool boolean_at(const json& object, std::string_view key, const std::string& where) {
    const json& value = member(object, key, where);
    if (!value.is_boolean()) expected(member_path(where, key), "true or false");
    return value.get<bool>();
}

double number_at(const json& object, std::string_view key, const std::string& where) {
    const json& value = member(object, key, where);
    if (!value.is_number() || !std::isfinite(value.get<double>()))
        expected(member_path(where, key), "a number");
    return value.get<double>();
}

WallTime time_of(const json& value, const std::string& where) {
    if (!value.is_number_integer()) expected(where, "a time: whole nanoseconds since the epoch");
    return WallTime(std::chrono::duration_cast<WallClock::duration>(
        std::chrono::nanoseconds(integer_of<std::int64_t>(value, where))));
}

WallTime time_at(const json& object, std::string_view key, const std::string& where) {
    return time_of(member(object, key, where), member_path(where, key));
}

std::optional<WallTime> optional_time_at(const json& object, std::string_view key, const std::string& where) {
    const json* value = optional_member(object, key);
    if (!value) return std::nullopt;
    return time_of(*value, member_path(where, key));
}

int bounded_at(const json& object, std::string_view key, const std::string& where, int min, int max) {
    const json& value = member(object, key, where);
    if (value.is_number_integer()) {
        const std::int64_t number = value.is_number_unsigned() && value.get<std::uint64_t>() >
                                                                      std::numeric_limits<std::int64_t>::max()
                                        ? std::numeric_limits<std::int64_t>::max()
                                        : value.get<std::int64_t>();
        if (number >= min && number <= max) return static_cast<int>(number);
    }
    expected(member_path(where, key),
             "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
}

}  // namespace lobos::json_fields
