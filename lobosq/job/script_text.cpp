#include "lobosq/job/script_text.hpp"

#include <algorithm>

namespace lobos {

namespace {

// Length of the UTF-8 sequence starting at `s`, or 0 if it is not valid
// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t utf8_sequence(std::string_view s) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char c = byte(0);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned code = 0;
    if ((c & 0xE0) == 0xC0)
        n = 2, code = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 3, code = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 4, code = c & 0x07;
    else
        return 0;
    if (s.size() < n) return 0;
    for (std::size_t i = 1; i < n; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return 0;
        code = code << 6 | (byte(i) & 0x3F);
    }
    static constexpr unsigned smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[n] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return n;
}

}  // namespace

std::optional<ScriptProblem> check_script_text(std::string_view script) {
    if (std::all_of(script.begin(), script.end(),
                    [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }))
        return ScriptProblem{0, "the script is empty"};
    int line = 1;
    for (std::size_t i = 0; i < script.size();) {
        if (script[i] == '\0') return ScriptProblem{line, "contains a NUL byte: a script must be text"};
        std::size_t n = utf8_sequence(script.substr(i));
        if (n == 0) return ScriptProblem{line, "is not UTF-8 text"};
        if (script[i] == '\n') ++line;
        i += n;
    }
    return std::nullopt;
}

}  // namespace lobos
