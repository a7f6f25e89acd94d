#pragma once
// How a job's script is run without a copy of it on any disk: the shepherd
// puts it in a memory file (memfd) and executes the file's /proc/self/fd
// path. A script starting with "#!" runs under that interpreter, as the
// kernel would run it; any other script under /bin/sh. Pure.

#include <string>
#include <string_view>
#include <vector>

namespace lobos {

// The argument vector to exec: {interpreter, [its one optional argument],
// script_path}. The "#!" line is read as Linux reads it: the interpreter is
// the first word after "#!", and the rest of the line, trimmed of blanks,
// is its one argument. A "#!" with no interpreter falls back to /bin/sh. A
// trailing carriage return (a script saved with DOS line ends) is dropped.
std::vector<std::string> script_command(std::string_view script, const std::string& script_path);

}  // namespace lobos
