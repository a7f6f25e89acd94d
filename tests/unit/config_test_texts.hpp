#pragma once
// Small configuration texts the unit tests start from and break one line at a time.

#include <sstream>
#include <string>

#include "config/config_loader.hpp"

namespace lobos::test {

// A tiny valid cluster: two compute nodes, one master, one hub.
inline const std::string small_nodes =
    "#id ip           name    type CPUs CPUtype clock speed RAM swap links lx    ly    px    py\n"  // line 1
    "1   10.0.0.1     pe1     0    2    1       200   1.0   128 512  2     0.100 0.200 0.300 0.400\n"  // line
                                                                                                       // 2
    "2   10.0.0.2     pe2     0    2    1       200   1.5   128 512  2     0.500 0.600 0.700 0.800\n"  // line
                                                                                                       // 3
    "65  10.0.0.65    master1 1    2    1       200   1.0   128 128  1     0.250 0.850 0.260 0.850\n"  // line
                                                                                                       // 4
    "69  999.999.999.999 hub1 0    0    1       0     0.0   0   0    0     0.400 0.400 0.300 0.100\n";  // line
                                                                                                        // 5

inline const std::string small_topology =
    "# name1 name2 IP1 IP2\n"               // line 1
    "pe1 pe2 10.0.0.1 10.0.0.2\n"           // line 2
    "pe1 hub1 10.0.0.1 999.999.999.999\n"   // line 3
    "hub1 pe2 999.999.999.999 10.0.0.2\n"   // line 4: hub written first
    "master1 hub1 10.0.0.65 10.0.0.254\n";  // line 5: hub's far address as in the LoBoS sample

inline const std::string small_pulse_conf =
    "HeartBeat 0.5\n"     // line 1
    "NodeTimeOut 2.\n"    // line 2
    "LinkTimeOut 2\n"     // line 3
    "MasterTimeOut 3\n";  // line 4

// `text` with its 1-based line `number` replaced by `replacement` (no newline).
inline std::string with_line(const std::string& text, int number, const std::string& replacement) {
    std::istringstream in(text);
    std::string line, out;
    for (int n = 1; std::getline(in, line); ++n) out += (n == number ? replacement : line) + "\n";
    return out;
}

inline ConfigLoad load(const std::string& nodes, const std::string& topology = small_topology,
                       const std::string& pulse_conf = small_pulse_conf) {
    return load_cluster_config({{"nodes", nodes}, {"topology", topology}, {"pulse.conf", pulse_conf}});
}

}  // namespace lobos::test

#include <doctest/doctest.h>

namespace lobos::test {

// The load failed with exactly one error, and it names this file, line, field and value.
inline void require_one_error(const ConfigLoad& result, const std::string& file, int line,
                              const std::string& field, const std::string& value) {
    std::vector<Diagnostic> errors;
    for (const Diagnostic& d : result.diagnostics)
        if (d.severity == Severity::error) errors.push_back(d);
    INFO("diagnostics: " << [&] {
        std::string all;
        for (const Diagnostic& d : result.diagnostics) all += "\n  " + to_string(d);
        return all;
    }());
    REQUIRE_FALSE(result.ok());
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].file == file);
    CHECK(errors[0].line == line);
    CHECK(errors[0].field == field);
    CHECK(errors[0].value == value);
    CHECK_FALSE(errors[0].message.empty());
}

}  // namespace lobos::test
