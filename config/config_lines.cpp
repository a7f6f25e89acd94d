#include "config/config_lines.hpp"

namespace lobos {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::vector<ConfigLine> config_lines(std::string_view text) {
    // A UTF-8 byte order mark, as some editors write, is not part of the first field.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::vector<ConfigLine> lines;
    int number = 0;
    while (!text.empty()) {
        ++number;
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);

        ConfigLine parsed{number, {}};
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && is_space(line[i])) ++i;
            std::size_t start = i;
            while (i < line.size() && !is_space(line[i])) ++i;
            if (i > start) parsed.fields.push_back(line.substr(start, i - start));
        }
        if (!parsed.fields.empty()) lines.push_back(std::move(parsed));
    }
    return lines;
}

}  // namespace lobos
