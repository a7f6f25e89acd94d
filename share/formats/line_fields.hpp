#pragma once
// The whitespace-separated fields of one line of a status file (node_status,
// job_status). Unlike config/config_lines.hpp, `#` is not special here: the
// status files' comment lines carry data (the header's date).

#include <string_view>
#include <vector>

namespace lobos {

// Blanks, tabs and the CR of a CRLF file separate fields; the views point
// into `line`, which must outlive the result.
std::vector<std::string_view> line_fields(std::string_view line);

}  // namespace lobos
