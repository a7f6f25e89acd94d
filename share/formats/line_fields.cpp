#include "share/formats/line_fields.hpp"

namespace lobos {

std::vector<std::string_view> line_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

}  // namespace lobos
