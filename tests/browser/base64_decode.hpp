#pragma once
// Base64 (RFC 4648) to bytes: the DevTools protocol sends screenshots so.

#include <optional>
#include <string>
#include <string_view>

namespace lobos::test {

// nullopt when `text` holds a character that is not of the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace lobos::test
