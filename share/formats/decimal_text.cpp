#include "share/formats/decimal_text.hpp"

#include <array>

namespace lobos {

void append_decimal(std::string& out, long long value, int width) {
    std::array<char, 24> digits{};
    auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    for (int pad = width - static_cast<int>(end - digits.data()); pad > 0; --pad) out += '0';
    out.append(digits.data(), end);
}

}  // namespace lobos
