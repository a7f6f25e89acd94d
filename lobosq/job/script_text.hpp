#pragma once
// What a job script must be before anything else is read from it: text.
// Pure.

#include <optional>
#include <string>
#include <string_view>

namespace lobos {

struct ScriptProblem {
    int line = 0;  // 1-based; 0 for the script as a whole
    std::string reason;
};

// Empty scripts, NUL bytes and bytes that are not UTF-8 are refused (the
// queue keeps scripts as JSON text).
std::optional<ScriptProblem> check_script_text(std::string_view script);

}  // namespace lobos
