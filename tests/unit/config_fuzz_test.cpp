// Robustness: thousands of random mutations of the LoBoS sample files. Every
// outcome must be a usable configuration or a list of errors that point into
// the files; never a crash, a hang or a sanitizer report (the sanitizer build
// runs this too).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <doctest/doctest.h>

#include "config/config_loader.hpp"
#include "config/config_summary.hpp"
#include "config/topology_graph.hpp"

using namespace lobos;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const char* const tokens[] = {"999.999.999.999",
                              "231.231.231.231",
                              "-1",
                              "0",
                              "1e309",
                              "nan",
                              "inf",
                              "0x10",
                              "",
                              "18446744073709551616",
                              "+",
                              ".",
                              "1..2",
                              "90.",
                              "#",
                              "hub1",
                              "pe1",
                              "master1",
                              "255.255.255.255",
                              "0.0.0.0",
                              "1.",
                              "-0",
                              "\t",
                              "\r",
                              "\xff\xfe",
                              "HeartBeat",
                              "NodeTimeOut",
                              "Disks",
                              "0.5e-3",
                              "2147483648",
                              "pe5"};

class Mutator {
public:
    explicit Mutator(std::uint32_t seed) : rng_(seed) {}

    std::string mutate(std::string text) {
        int rounds = pick(1, 4);
        for (int i = 0; i < rounds; ++i) text = once(std::move(text));
        return text;
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    std::size_t where(const std::string& t) {
        return t.empty() ? 0 : static_cast<std::size_t>(pick(0, int(t.size()) - 1));
    }

    std::vector<std::string> lines_of(const std::string& t) {
        std::vector<std::string> lines;
        std::istringstream in(t);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        return lines;
    }
    std::string join(const std::vector<std::string>& lines) {
        std::string out;
        for (const auto& l : lines) out += l + "\n";
        return out;
    }

    std::string once(std::string t) {
        switch (pick(0, 7)) {
            case 0:  // flip a byte
                if (!t.empty()) t[where(t)] = static_cast<char>(pick(0, 255));
                return t;
            case 1:  // delete a span
                if (!t.empty()) {
                    std::size_t at = where(t);
                    t.erase(at, static_cast<std::size_t>(pick(1, 40)));
                }
                return t;
            case 2: {  // insert random bytes
                std::string junk;
                for (int n = pick(1, 12); n > 0; --n) junk += static_cast<char>(pick(0, 255));
                t.insert(t.empty() ? 0 : where(t), junk);
                return t;
            }
            case 3: {  // duplicate a line
                auto lines = lines_of(t);
                if (lines.empty()) return t;
                std::size_t i = static_cast<std::size_t>(pick(0, int(lines.size()) - 1));
                lines.insert(lines.begin() + long(i), lines[i]);
                return join(lines);
            }
            case 4: {  // swap two lines
                auto lines = lines_of(t);
                if (lines.size() < 2) return t;
                std::swap(lines[std::size_t(pick(0, int(lines.size()) - 1))],
                          lines[std::size_t(pick(0, int(lines.size()) - 1))]);
                return join(lines);
            }
            case 5: {  // replace one whitespace-separated field with a nasty token
                auto lines = lines_of(t);
                if (lines.empty()) return t;
                std::string& line = lines[std::size_t(pick(0, int(lines.size()) - 1))];
                std::istringstream in(line);
                std::vector<std::string> fields;
                for (std::string f; in >> f;) fields.push_back(f);
                if (fields.empty()) return t;
                fields[std::size_t(pick(0, int(fields.size()) - 1))] =
                    tokens[pick(0, int(std::size(tokens)) - 1)];
                line.clear();
                for (const auto& f : fields) line += f + " ";
                return join(lines);
            }
            case 6:  // truncate
                t.resize(where(t));
                return t;
            default:  // a very long line
                t.insert(where(t), std::string(static_cast<std::size_t>(pick(100, 5000)),
                                               static_cast<char>(pick(32, 126))));
                return t;
        }
    }

    std::mt19937 rng_;
};

int line_count(const std::string& text) {
    return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
}

}  // namespace

TEST_CASE("thousands of mutated sample files give a configuration or errors, never a crash") {
    const auto dir = std::filesystem::path(LOBOS_SOURCE_DIR) / "config/examples/lobos";
    const std::string nodes = slurp(dir / "nodes"), topology = slurp(dir / "topology"),
                      pulse = slurp(dir / "pulse.conf");
    REQUIRE_FALSE(nodes.empty());

    constexpr std::uint32_t seed = 19971008;  // fixed, so a failure replays
    constexpr int iterations = 6000;
    Mutator mutator(seed);
    int usable = 0, refused = 0;
    for (int i = 0; i < iterations; ++i) {
        ConfigTexts texts{{"nodes", nodes}, {"topology", topology}, {"pulse.conf", pulse}};
        // Mutate one file, sometimes two, so most loads fail in one place only.
        int which = i % 3;
        ConfigText* target[] = {&texts.nodes, &texts.topology, &texts.pulse_conf};
        target[which]->text = mutator.mutate(target[which]->text);
        if (i % 7 == 0) target[(which + 1) % 3]->text = mutator.mutate(target[(which + 1) % 3]->text);

        ConfigLoad r = load_cluster_config(texts);
        CAPTURE(i);
        if (r.ok()) {
            ++usable;
            const ClusterConfig& c = r.config;
            std::set<NodeId> ids;
            std::set<std::string> names;
            for (const Node& n : c.nodes) {
                REQUIRE(ids.insert(n.id).second);
                REQUIRE(names.insert(n.name).second);
                REQUIRE(n.logical.x >= 0);
                REQUIRE(n.logical.x <= 1);
                REQUIRE(n.physical.y >= 0);
                REQUIRE(n.physical.y <= 1);
            }
            for (const Link& l : c.links) {
                REQUIRE(c.find_node(l.name1) != nullptr);
                REQUIRE(c.find_node(l.name2) != nullptr);
            }
            REQUIRE_FALSE(c.masters_by_rank().empty());
            TopologyGraph graph(c);
            (void)graph.reachable_compute_nodes({});
            REQUIRE_FALSE(config_summary(c, r.diagnostics, "fuzz").empty());
        } else {
            ++refused;
            for (const Diagnostic& d : r.diagnostics) {
                const std::string* text = d.file == "nodes"      ? &texts.nodes.text
                                          : d.file == "topology" ? &texts.topology.text
                                                                 : &texts.pulse_conf.text;
                REQUIRE((d.file == "nodes" || d.file == "topology" || d.file == "pulse.conf"));
                REQUIRE(d.line >= 0);
                REQUIRE(d.line <= line_count(*text));
                REQUIRE_FALSE(d.message.empty());
            }
        }
    }
    MESSAGE(usable << " usable, " << refused << " refused of " << iterations);
    // The mutations must exercise both outcomes, or the test proves nothing.
    CHECK(usable > iterations / 20);
    CHECK(refused > iterations / 4);
}
