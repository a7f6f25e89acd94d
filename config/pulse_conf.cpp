#include "config/pulse_conf.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include "config/config_lines.hpp"
#include "config/field_reader.hpp"
#include "config/placement_names.hpp"

namespace lobos {
namespace {

using Values = std::vector<std::string_view>;
// Reads the values of one keyword into the conf; returns false after recording an error.
using Setter = std::function<bool(PulseConf&, FieldReader&, std::string_view keyword, const Values&)>;

struct KeywordRule {
    PulseKeyword doc;
    Setter set;
};

bool one_value(FieldReader& read, std::string_view keyword, const Values& v) {
    if (v.size() == 1) return true;
    read.error(keyword, v.size() > 1 ? v[1] : "", v.empty() ? "needs a value" : "takes one value");
    return false;
}

Setter seconds(Seconds PulseConf::*member) {
    return [member](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
        if (!one_value(read, k, v)) return false;
        auto s = read.positive_seconds(k, v[0]);
        if (s) c.*member = Seconds(*s);
        return s.has_value();
    };
}

Setter port(std::uint16_t PulseConf::*member) {
    return [member](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
        if (!one_value(read, k, v)) return false;
        auto p = read.integer(k, v[0], 1, 65535);
        if (p) c.*member = static_cast<std::uint16_t>(*p);
        return p.has_value();
    };
}

// A size in bytes: a whole number with an optional K, M, G or T suffix
// (powers of 1024, either case), as df -h and ulimit write them: 100M.
Setter bytes(std::uint64_t PulseConf::*member) {
    return [member](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
        if (!one_value(read, k, v)) return false;
        std::string_view digits = v[0];
        int shift = 0;
        constexpr std::string_view suffixes = "KMGT";  // 2^10, 2^20, 2^30, 2^40
        if (!digits.empty()) {
            const auto at =
                suffixes.find(static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back()))));
            if (at != std::string_view::npos) {
                shift = 10 * static_cast<int>(at + 1);
                digits.remove_suffix(1);
            }
        }
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || ec == std::errc::invalid_argument || end != digits.data() + digits.size()) {
            read.error(k, v[0], "not a size: a whole number of bytes, or with a K, M, G or T suffix (100M)");
            return false;
        }
        if (ec == std::errc::result_out_of_range ||
            value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
            read.error(k, v[0], "size is out of range");
            return false;
        }
        c.*member = value << shift;
        return true;
    };
}

const std::vector<KeywordRule>& rules() {
    static const std::vector<KeywordRule> table = {
        {{"HeartBeat", "seconds", "1", "seconds between heartbeats"}, seconds(&PulseConf::heartbeat)},
        {{"NodeTimeOut", "seconds", "5", "no heartbeat for this long: node down"},
         seconds(&PulseConf::node_timeout)},
        {{"LinkTimeOut", "seconds", "5", "no traffic over a link for this long: link down"},
         seconds(&PulseConf::link_timeout)},
        {{"MasterTimeOut", "seconds", "5",
          "no word from the primary master this long: the next rank takes over"},
         seconds(&PulseConf::master_timeout)},
        {{"PulsePort", "port", "7311", "UDP port pulse binds on every host's address"},
         port(&PulseConf::pulse_port)},
        {{"WebPort", "port", "7380", "TCP port webstatus listens on unless --listen says otherwise"},
         port(&PulseConf::web_port)},
        {{"WakePort", "port", "8311",
          "UDP port of the \"look now\" wake-ups lobosqd and lobos-runner listen on at their host's "
          "address; PulsePort + 1000 unless given; not PulsePort nor a hub's PulsePort + N"},
         port(&PulseConf::wake_port)},
        {{"CancelGrace", "seconds", "5", "a cancelled job gets SIGTERM, then SIGKILL after this long"},
         seconds(&PulseConf::cancel_grace)},
        {{"Disks", "paths", "/", "file systems whose free space each node reports (absolute paths)"},
         [](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
             if (v.empty()) {
                 read.error(k, "", "needs at least one absolute path");
                 return false;
             }
             for (std::string_view p : v) {
                 if (!p.starts_with('/')) {
                     read.error(k, p, "not an absolute path");
                     return false;
                 }
             }
             c.disks.assign(v.begin(), v.end());
             return true;
         }},
        {{"DiskFloor", "bytes", "100M",
          "a node with a disk of Disks at or under this much free space gets no jobs; 0: no floor"},
         bytes(&PulseConf::disk_floor)},
        {{"EtimeLimit", "factor", "0",
          "a job still running at ETIME times this is ended (2: twice its ETIME); 0: never"},
         [](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
             if (!one_value(read, k, v)) return false;
             auto f = read.real(k, v[0], 0, 1000);
             if (f && *f > 0 && *f < 1) {
                 read.error(k, v[0],
                            "a limit under ETIME would end jobs before their estimate: 0, or 1 or more");
                 return false;
             }
             if (f) c.etime_limit = *f;
             return f.has_value();
         }},
        {{"UserJobCap", "jobs", "0",
          "past this many running jobs a user's new jobs go only to nodes the user already runs on; 0: no "
          "cap"},
         [](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
             if (!one_value(read, k, v)) return false;
             auto n = read.integer(k, v[0], 0, 1000000);
             if (n) c.user_job_cap = static_cast<int>(*n);
             return n.has_value();
         }},
        {{"FairShareHalfLife", "seconds", "86400",
          "fair share forgets half of a user's used CPU time in this long"},
         seconds(&PulseConf::fair_share_half_life)},
        {{"Placement", "name", "topology",
          "how lobosqd chooses a job's CPUs: topology (closest together in the link graph) or first_fit"},
         [](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
             if (!one_value(read, k, v)) return false;
             const auto& names = placement_policy_names_accepted;
             if (std::find(names.begin(), names.end(), v[0]) == names.end()) {
                 std::string known;
                 for (std::string_view name : names) known += (known.empty() ? "" : ", ") + std::string(name);
                 read.error(k, v[0], "no such placement policy; known: " + known);
                 return false;
             }
             c.placement = std::string(v[0]);
             c.placement_line = read.line();
             return true;
         }},
        {{"KeyFile", "path", "cluster.key",
          "the cluster's heartbeat key (mode 0600); a relative path is under the config directory"},
         [](PulseConf& c, FieldReader& read, std::string_view k, const Values& v) {
             if (!one_value(read, k, v)) return false;
             c.key_file = std::string(v[0]);
             return true;
         }},
    };
    return table;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Edit distance, to suggest the keyword an operator probably meant.
std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string unknown_keyword_message(std::string_view keyword) {
    std::string best;
    std::size_t best_distance = 4;  // further than this is no suggestion
    for (const KeywordRule& r : rules()) {
        std::size_t d = distance(lower(keyword), lower(r.doc.name));
        if (d < best_distance) {
            best_distance = d;
            best = r.doc.name;
        }
    }
    std::string message = "unknown keyword";
    if (!best.empty()) return message + " (did you mean " + best + "?)";
    message += "; known keywords:";
    for (const KeywordRule& r : rules()) message += " " + std::string(r.doc.name);
    return message;
}

// WakePort defaults to PulsePort + 1000, and is never PulsePort itself:
// pulse and the wake-up listener bind the same address.
void check_wake_port(PulseConfFile& out, std::string_view file_name) {
    PulseConf& c = out.conf;
    if (!out.wake_port_line) {
        if (c.pulse_port > 65535 - 1000) {
            out.diagnostics.push_back({Severity::error, std::string(file_name), out.pulse_port_line,
                                       "PulsePort", std::to_string(c.pulse_port),
                                       "WakePort would be PulsePort + 1000, over 65535: give WakePort"});
            return;
        }
        c.wake_port = static_cast<std::uint16_t>(c.pulse_port + 1000);
        return;
    }
    if (c.wake_port == c.pulse_port)
        out.diagnostics.push_back({Severity::error, std::string(file_name), out.wake_port_line, "WakePort",
                                   std::to_string(c.wake_port),
                                   "equals PulsePort: pulse and the wake-ups need ports of their own"});
}

}  // namespace

PulseConfFile parse_pulse_conf(std::string_view text, std::string_view file_name) {
    PulseConfFile out;
    std::map<std::string, int> line_of;  // lower-case keyword -> first line
    for (const ConfigLine& line : config_lines(text)) {
        FieldReader read(file_name, line.number, out.diagnostics);
        std::string_view keyword = line.fields[0];
        Values values(line.fields.begin() + 1, line.fields.end());
        auto rule = std::find_if(rules().begin(), rules().end(),
                                 [&](const KeywordRule& r) { return lower(r.doc.name) == lower(keyword); });
        if (rule == rules().end()) {
            read.error("keyword", keyword, unknown_keyword_message(keyword));
            continue;
        }
        if (auto [it, fresh] = line_of.emplace(lower(keyword), line.number); !fresh) {
            read.error(rule->doc.name, values.empty() ? "" : values[0],
                       "given twice, first on line " + std::to_string(it->second));
            continue;
        }
        rule->set(out.conf, read, rule->doc.name, values);
    }

    out.pulse_port_line = line_of.count("pulseport") ? line_of["pulseport"] : 0;
    out.wake_port_line = line_of.count("wakeport") ? line_of["wakeport"] : 0;
    if (!has_errors(out.diagnostics)) check_wake_port(out, file_name);

    // A timeout no longer than the heartbeat would mark healthy hosts down between two beats.
    const PulseConf& c = out.conf;
    auto check_timeout = [&](std::string_view name, Seconds timeout) {
        if (timeout > c.heartbeat) return;
        auto it = line_of.find(lower(name));
        int line = it != line_of.end() ? it->second : line_of.count("heartbeat") ? line_of["heartbeat"] : 0;
        char value[32];
        std::snprintf(value, sizeof value, "%g", timeout.count());
        char beat[32];
        std::snprintf(beat, sizeof beat, "%g", c.heartbeat.count());
        out.diagnostics.push_back({Severity::error, std::string(file_name), line, std::string(name), value,
                                   "must be longer than HeartBeat (" + std::string(beat) +
                                       " s), or healthy hosts go down between heartbeats"});
    };
    if (!has_errors(out.diagnostics)) {
        check_timeout("NodeTimeOut", c.node_timeout);
        check_timeout("LinkTimeOut", c.link_timeout);
        check_timeout("MasterTimeOut", c.master_timeout);
    }
    return out;
}

const std::vector<PulseKeyword>& pulse_keywords() {
    static const std::vector<PulseKeyword> docs = [] {
        std::vector<PulseKeyword> d;
        for (const KeywordRule& r : rules()) d.push_back(r.doc);
        return d;
    }();
    return docs;
}

}  // namespace lobos
