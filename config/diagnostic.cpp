#include "config/diagnostic.hpp"

#include <algorithm>

namespace lobos {

std::string to_string(const Diagnostic& d) {
    std::string out = d.file;
    if (d.line > 0) out += ":" + std::to_string(d.line);
    out += d.severity == Severity::error ? ": error: " : ": warning: ";
    if (!d.field.empty()) {
        out += d.field;
        out += " '" + d.value + "': ";
    }
    out += d.message;
    return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace lobos
