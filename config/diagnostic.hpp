#pragma once
// A problem found while reading a configuration file: where it is (file, line,
// field), what was there (value) and why it is wrong. Loads collect every
// diagnostic instead of stopping at the first, so an operator fixes a file in
// one pass.

#include <string>
#include <vector>

namespace lobos {

enum class Severity { warning, error };

struct Diagnostic {
    Severity severity = Severity::error;
    std::string file;   // the path as the program was given it
    int line = 0;       // 1-based; 0 when the problem is about the whole file
    std::string field;  // e.g. "ip", "NodeTimeOut"; empty when not about one field
    std::string value;  // the offending text, as written
    std::string message;
};

// "config/nodes:12: error: ip '1.2.3': not an IPv4 address"
std::string to_string(const Diagnostic& d);

bool has_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace lobos
