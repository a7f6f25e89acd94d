#pragma once
// Reads typed values out of one line's fields and records a Diagnostic for
// each one that is not what the format says, naming file, line and field.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"

namespace lobos {

class FieldReader {
public:
    FieldReader(std::string_view file, int line, std::vector<Diagnostic>& diagnostics)
        : file_(file), line_(line), diagnostics_(diagnostics) {}

    // A whole decimal number in [min, max].
    std::optional<long long> integer(std::string_view field, std::string_view text, long long min,
                                     long long max);
    // A decimal number such as `90.`, `0.5` or `1e3` in [min, max].
    std::optional<double> real(std::string_view field, std::string_view text, double min, double max);
    // A number of seconds greater than zero.
    std::optional<double> positive_seconds(std::string_view field, std::string_view text);
    // A dotted-quad IPv4 address (four decimal parts, each 0-255).
    bool ipv4(std::string_view field, std::string_view text);

    void error(std::string_view field, std::string_view value, std::string message);
    void warning(std::string_view field, std::string_view value, std::string message);

    int line() const { return line_; }

private:
    std::string file_;
    int line_;
    std::vector<Diagnostic>& diagnostics_;
};

bool is_ipv4_address(std::string_view text);

}  // namespace lobos
