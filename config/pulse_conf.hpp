#pragma once
// config/pulse.conf: `Keyword value` lines. Keywords match without regard to
// case; each may appear once; every keyword has a default (PulseConf), so an
// empty file is a valid one.

#include <string_view>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/diagnostic.hpp"

namespace lobos {

struct PulseConfFile {
    PulseConf conf;
    std::vector<Diagnostic> diagnostics;
    // Where the ports were given (0: not given), for the loader's check
    // that WakePort meets no hub's multicast port.
    int pulse_port_line = 0;
    int wake_port_line = 0;
};

PulseConfFile parse_pulse_conf(std::string_view text, std::string_view file_name);

// The keywords, as documented in the README, for messages and --help.
struct PulseKeyword {
    std::string_view name;
    std::string_view value;  // what the value looks like
    std::string_view default_text;
    std::string_view meaning;
};
const std::vector<PulseKeyword>& pulse_keywords();

}  // namespace lobos
