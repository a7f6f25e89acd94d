#include "lobosq/job/directives.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <map>

namespace lobos {
namespace {

struct Rule {
    std::string_view name;  // full spelling, upper-case part first
    std::size_t required;   // length of the upper-case part
};

constexpr Rule rules[] = {
    {"ETIME", 5}, {"CONFIDENCE", 4}, {"NPROCS", 6}, {"NPROC0", 6}, {"TPIP", 4}, {"ADMIN", 5}, {"RTIME", 5},
};
constexpr int max_nprocs = 128;

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
    return out;
}

bool all_upper_letters(std::string_view word) {
    return word.size() >= 2 &&
           std::all_of(word.begin(), word.end(),
                       [](unsigned char c) { return std::isupper(c) || std::isdigit(c); }) &&
           std::isupper(static_cast<unsigned char>(word[0]));
}

// The directive a word spells, if any.
const Rule* match(std::string_view word) {
    const std::string w = upper(word);
    for (const Rule& r : rules)
        if (w.size() >= r.required && w.size() <= r.name.size() && r.name.starts_with(w)) return &r;
    return nullptr;
}

std::string suggestion(std::string_view word) {
    const std::string w = upper(word);
    for (const Rule& r : rules)
        if (r.name.starts_with(w) || w.starts_with(r.name.substr(0, r.required - 1)))
            return " (did you mean #" + std::string(r.name.substr(0, r.required)) + "?)";
    return "";
}

std::optional<int> whole_number(std::string_view text) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// #RTIME: "HH:MM" (the next such time), "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM", local time.
std::optional<std::chrono::system_clock::time_point> parse_rtime(const std::vector<std::string_view>& values,
                                                                 std::chrono::system_clock::time_point now) {
    std::string text;
    for (auto v : values) text += (text.empty() ? "" : " ") + std::string(v);
    std::replace(text.begin(), text.end(), 'T', ' ');
    std::tm tm{};
    const std::time_t now_t = std::chrono::system_clock::to_time_t(now);
    localtime_r(&now_t, &tm);
    int year = 0, month = 0, day = 0, hour = 0, minute = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d%c", &year, &month, &day, &hour, &minute, &tail) == 5) {
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
    } else if (std::sscanf(text.c_str(), "%d:%d%c", &hour, &minute, &tail) != 2) {
        return std::nullopt;
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        (year && (month < 1 || month > 12 || day < 1 || day > 31)))
        return std::nullopt;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    auto at = std::chrono::system_clock::from_time_t(std::mktime(&tm));
    if (!year && at <= now) at += std::chrono::hours(24);  // a time of day already past today: tomorrow
    return at;
}

}  // namespace

DirectivesRead read_directives(std::string_view script, const DirectiveContext& context) {
    DirectivesRead out;
    JobDirectives& d = out.directives;
    std::map<std::string_view, int> seen;  // directive -> first line
    int number = 0;
    std::optional<int> nprocs_line;
    std::string nprocs_text;
    while (!script.empty()) {
        ++number;
        const std::size_t end = script.find('\n');
        std::string_view line = script.substr(0, end);
        script.remove_prefix(end == std::string_view::npos ? script.size() : end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

        std::string_view trimmed = line;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
            trimmed.remove_prefix(1);
        if (trimmed.empty()) continue;
        if (trimmed.front() != '#') break;  // the leading comment block ends at the first command

        auto error = [&](std::string reason) {
            out.errors.push_back({number, std::string(line), std::move(reason)});
        };
        std::vector<std::string_view> w = words(trimmed.substr(1));
        if (w.empty() || trimmed.size() < 2 || std::isspace(static_cast<unsigned char>(trimmed[1]))) continue;
        const std::string_view word = w[0];
        const Rule* rule = match(word);
        if (!rule) {
            if (all_upper_letters(word))
                error("#" + std::string(word) + " is no directive" + suggestion(word));
            continue;  // `#!/bin/sh`, `#comment`: ordinary comments
        }
        std::vector<std::string_view> values(w.begin() + 1, w.end());
        if (auto [it, fresh] = seen.emplace(rule->name, number); !fresh) {
            error("#" + std::string(rule->name.substr(0, rule->required)) + " given twice, first on line " +
                  std::to_string(it->second));
            continue;
        }
        const std::string name = "#" + std::string(rule->name.substr(0, rule->required));
        auto one_number = [&](int min, std::optional<int> max) -> std::optional<int> {
            if (values.size() != 1) {
                error(name + (values.empty() ? " needs a value" : " takes one value"));
                return std::nullopt;
            }
            auto v = whole_number(values[0]);
            if (!v) {
                error(name + " " + std::string(values[0]) + ": not a whole number");
                return std::nullopt;
            }
            if (*v < min) {
                error(name + " " + std::string(values[0]) + ": below the minimum of " + std::to_string(min));
                return std::nullopt;
            }
            if (max && *v > *max) {
                error(name + " " + std::string(values[0]) + ": above the maximum of " + std::to_string(*max));
                return std::nullopt;
            }
            return v;
        };

        if (rule->name == "ETIME") {
            if (auto v = one_number(1, std::nullopt)) d.etime_minutes = *v;
        } else if (rule->name == "CONFIDENCE") {
            if (auto v = one_number(0, 100)) d.confidence = *v;
        } else if (rule->name == "TPIP") {
            if (auto v = one_number(1, 2)) d.tpip = *v;
        } else if (rule->name == "NPROC0") {
            if (auto v = one_number(1, std::nullopt)) {
                if (context.cluster_cpus > 0 && *v > context.cluster_cpus)
                    error(name + " " + std::to_string(*v) + ": the cluster's CPUs are numbered 1 to " +
                          std::to_string(context.cluster_cpus));
                else
                    d.nproc0 = *v;
            }
        } else if (rule->name == "NPROCS") {
            if (values.size() != 1) {
                error(name + (values.empty() ? " needs a value: n or nlow-nhigh"
                                             : " takes one value: n or nlow-nhigh"));
                continue;
            }
            const std::string_view v = values[0];
            const std::size_t dash = v.find('-', 1);
            auto low = whole_number(v.substr(0, dash));
            auto high = dash == std::string_view::npos ? low : whole_number(v.substr(dash + 1));
            if (!low || !high) {
                error(name + " " + std::string(v) + ": not a number of CPUs (n or nlow-nhigh)");
            } else if (*low > *high) {
                error(name + " " + std::string(v) + ": reversed range (the low end comes first)");
            } else if (*low < 1) {
                error(name + " " + std::string(v) + ": below the minimum of 1");
            } else if (*high > max_nprocs) {
                error(name + " " + std::string(v) + ": above the maximum of " + std::to_string(max_nprocs));
            } else {
                d.nprocs_low = *low;
                d.nprocs_high = *high;
                nprocs_line = number;
                nprocs_text = std::string(line);
            }
        } else if (rule->name == "ADMIN") {
            if (!values.empty())
                error(name + " takes no value");
            else if (!context.root)
                error(name + " is for root only");
            else
                d.admin = true;
        } else if (rule->name == "RTIME") {
            if (!context.root) {
                error(name + " is for root only");
            } else if (auto at = parse_rtime(values, context.now)) {
                d.rtime = *at;
            } else {
                error(name + (values.empty() ? " needs a time" : " " + std::string(values[0])) +
                      ": not a time (HH:MM or YYYY-MM-DD HH:MM)");
            }
        }
    }

    // Checks across directives, once each is known to be sound.
    if (context.cluster_cpus > 0 && d.nprocs_low > context.cluster_cpus) {
        out.errors.push_back({nprocs_line.value_or(0), nprocs_line ? nprocs_text : "(default #NPROCS 4)",
                              "needs " + std::to_string(d.nprocs_low) + " CPUs; the cluster has " +
                                  std::to_string(context.cluster_cpus)});
    }
    std::sort(out.errors.begin(), out.errors.end(),
              [](const auto& a, const auto& b) { return a.line < b.line; });
    return out;
}

std::string to_string(const DirectiveError& error) {
    std::string out = error.line > 0 ? "line " + std::to_string(error.line) + ": " : "";
    return out + error.reason;
}

}  // namespace lobos
