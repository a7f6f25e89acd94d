#include "lobosq/job/script_command.hpp"

namespace lobos {
namespace {

constexpr std::string_view blanks = " \t";

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(blanks);
    return text.substr(first, last - first + 1);
}

}  // namespace

std::vector<std::string> script_command(std::string_view script, const std::string& script_path) {
    if (script.starts_with("#!")) {
        std::string_view line = script.substr(2);
        line = line.substr(0, line.find('\n'));
        if (line.ends_with('\r')) line.remove_suffix(1);
        line = trim(line);
        const auto end = line.find_first_of(blanks);
        const std::string_view interpreter = line.substr(0, end);
        if (!interpreter.empty()) {
            std::vector<std::string> argv{std::string(interpreter)};
            if (end != std::string_view::npos) {
                const std::string_view argument = trim(line.substr(end));
                if (!argument.empty()) argv.emplace_back(argument);
            }
            argv.push_back(script_path);
            return argv;
        }
    }
    return {"/bin/sh", script_path};
}

}  // namespace lobos
