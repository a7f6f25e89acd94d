#pragma once
// Splits a LoBoS configuration text into numbered lines of whitespace
// separated fields. `#` starts a comment anywhere on a line; blank and
// comment-only lines are dropped; CR of CRLF files is whitespace.

#include <string_view>
#include <vector>

namespace lobos {

struct ConfigLine {
    int number = 0;  // 1-based line number in the file
    std::vector<std::string_view> fields;
};

// The views point into `text`, which must outlive the result.
std::vector<ConfigLine> config_lines(std::string_view text);

}  // namespace lobos
