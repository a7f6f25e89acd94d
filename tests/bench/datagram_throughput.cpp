// bench_datagrams: how many heartbeat datagrams a master verifies and
// applies per second on one core, without sockets: for a generated cluster
// of N compute nodes (2 masters, 2 hubs, a ring of direct links, every node
// on a hub), realistic signed reports are encoded beforehand, then each goes
// through decode_heartbeat (HMAC-SHA256 and parse), DatagramAdmission::admit,
// ClusterHealth::on_datagram and ClusterHealth::advance, as pulse_daemon.cpp
// does for every datagram it receives. Also times what a master does once at
// start (configuration, admission and health tables) and once a second
// (node_status and node_detail.json text) at that size.
//
// Usage: bench_datagrams [--nodes 1000,10000] [--runs 5] [--datagrams 200000]

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "pulse/health/cluster_health.hpp"
#include "pulse/health/peer_hearing.hpp"
#include "pulse/heartbeat/datagram_admission.hpp"
#include "pulse/heartbeat/heartbeat_codec.hpp"
#include "share/formats/node_detail.hpp"
#include "share/formats/node_status.hpp"
#include "tests/bench/bench_support.hpp"

namespace {

using namespace lobos;
using namespace lobos::bench;
using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

// Warm-up rounds bring every node and link up (changes, log text) before timing starts.
constexpr int warmup_rounds = 3;
// Peers a node lists for its hub link: PeerHearing::max_hub_peers, masters first.
constexpr int hub_peers = static_cast<int>(PeerHearing::max_hub_peers);

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Options {
    std::vector<int> nodes{1000, 10000};
    int runs = 5;
    int datagrams = 200000;  // timed per run (at least one heartbeat round)
};

std::optional<Options> parse_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    std::string nodes = "1000,10000";
    po::options_description options;
    options.add_options()                                                                         //
        ("nodes", po::value(&nodes)->value_name("N,N..."), "cluster sizes (default 1000,10000)")  //
        ("runs", po::value(&o.runs)->value_name("N"), "timed runs per size (default 5)")          //
        ("datagrams", po::value(&o.datagrams)->value_name("N"), "datagrams timed per run (default 200000)");
    if (!read_command_line(argc, argv, "bench_datagrams [options]", options)) return std::nullopt;
    o.nodes = node_counts(nodes);
    if (o.runs < 1 || o.datagrams < 1) throw std::runtime_error("nothing to run");
    for (int n : o.nodes)
        if (n < 3 || n > 60000) throw std::runtime_error("--nodes: between 3 and 60000");
    return o;
}

// One datagram as it would arrive at master1: its bytes, its source address
// (the sender's own), and when it arrives after the start of the run.
struct Arrival {
    std::vector<std::uint8_t> bytes;
    int node = 0;
    nanoseconds at{};
};

struct Cluster {
    ClusterConfig config;
    NodeId master = 0;
    std::vector<std::string> addresses;  // compute node i's address
    std::vector<int> ring_prev, ring_next, hub_link;
    double load_s = 0;
};

Cluster make_cluster(int n) {
    ClusterShape shape;
    shape.compute = n;
    shape.masters = 2;
    shape.hubs = 2;
    const ClusterTexts texts = generate_cluster(shape);
    Cluster c;
    const auto start = Clock::now();
    ConfigLoad load = load_cluster_config(
        {{"nodes", texts.nodes}, {"topology", texts.topology}, {"pulse.conf", texts.pulse_conf}});
    c.load_s = seconds_since(start);
    if (!load.ok()) throw std::runtime_error("the generated configuration does not load");
    c.config = std::move(load.config);
    c.master = n + 1;
    c.ring_prev.assign(n, -1);
    c.ring_next.assign(n, -1);
    c.hub_link.assign(n, -1);
    for (int i = 0; i < n; ++i) c.addresses.push_back(compute_address(i));
    auto compute_index = [&](const std::string& name) {
        return name.size() == 6 && name[0] == 'n' ? std::stoi(name.substr(1)) - 1 : -1;
    };
    for (int l = 0; l < static_cast<int>(c.config.links.size()); ++l) {
        const Link& link = c.config.links[l];
        const int a = compute_index(link.name1);
        const int b = compute_index(link.name2);
        if (link.kind == LinkKind::hub && a >= 0) c.hub_link[a] = l;
        if (link.kind == LinkKind::direct && a >= 0 && b >= 0) {
            c.ring_next[a] = l;
            c.ring_prev[b] = l;
        }
    }
    return c;
}

HeartbeatKey bench_key() {
    std::vector<std::uint8_t> bytes(32);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 37 + 11);
    return HeartbeatKey::from_bytes(bytes);
}

std::uint32_t age_ms(nanoseconds age) {
    return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(age).count());
}

// Every heartbeat round, node i sends at i/N of the second: one report
// straight to the masters and one multicast on its hub, both of which
// master1 receives. The report is what pulse sends: 2 to 4 CPUs, one disk,
// and what it heard over its three links (its ring neighbours, and on the
// hub the masters then the most recently heard nodes).
std::vector<Arrival> encode_rounds(const Cluster& c, int rounds, const HeartbeatKey& key) {
    const int n = static_cast<int>(c.addresses.size());
    const nanoseconds slot = nanoseconds(1'000'000'000) / n;
    const std::uint64_t base_us = 1'700'000'000'000'000ull;
    std::vector<Arrival> out;
    out.reserve(static_cast<std::size_t>(rounds) * n * 2);
    HeartbeatReport r;
    for (int round = 0; round < rounds; ++round) {
        for (int i = 0; i < n; ++i) {
            const nanoseconds at = std::chrono::seconds(round) + slot * i;
            const auto at_us = static_cast<std::uint64_t>(at.count() / 1000);
            r.sender = i + 1;
            r.sent_unix_ms = static_cast<std::int64_t>((base_us + at_us) / 1000);
            r.load_average = 0.25f * static_cast<float>(i % 8);
            r.memory_free_bytes = (2048ull + i % 1024) << 20;
            r.memory_total_bytes = 4096ull << 20;
            r.cpus.clear();
            for (int cpu = 0; cpu < 2 + i % 3; ++cpu)
                r.cpus.push_back({static_cast<float>((i * 7 + cpu * 13 + round) % 100) / 100.0f, true});
            r.disks = {{(100ull + i % 50) << 30, 200ull << 30}};
            r.links.clear();
            const int prev = (i + n - 1) % n;
            const int next = (i + 1) % n;
            // The ring neighbours sent one slot before and after, a round ago at most;
            // each link's entry also passes on that the neighbour heard this node's
            // previous heartbeat, a second ago (PeerHearing lists the host itself).
            const std::uint32_t own_age = age_ms(std::chrono::seconds(1));
            r.links.push_back({c.ring_prev[i], {{prev + 1, age_ms(slot)}, {i + 1, own_age}}});
            r.links.push_back(
                {c.ring_next[i], {{next + 1, age_ms(std::chrono::seconds(1) - slot)}, {i + 1, own_age}}});
            LinkHeard hub{c.hub_link[i], {{n + 1, 250}, {n + 2, 750}}};
            for (int k = 1; static_cast<int>(hub.heard.size()) < hub_peers; ++k) {
                const int peer = (i + n - 2 * k % n) % n;  // the same hub: the same parity
                hub.heard.push_back({peer + 1, age_ms(slot * (2 * k))});
            }
            r.links.push_back(std::move(hub));
            r.primary_epoch = 0;
            const std::uint32_t channels[2] = {report_channel, static_cast<std::uint32_t>(c.hub_link[i])};
            for (int copy = 0; copy < 2; ++copy) {
                r.channel = channels[copy];
                r.sequence = base_us + at_us + copy;
                out.push_back({encode_heartbeat(r, key), i, at + nanoseconds(copy * 1000)});
            }
        }
    }
    return out;
}

struct RunResult {
    double seconds = 0;
    std::size_t datagrams = 0;
    std::size_t refused = 0;
    std::size_t changes = 0;
};

// Stages timed separately, with a clock read between them (about 20-30 ns each, included).
struct Stages {
    double decode = 0, admit = 0, apply = 0, advance = 0;
};

// One run: a fresh master state (as after a start), the warm-up rounds
// untimed, then every other datagram timed as one loop.
RunResult run_once(const Cluster& c, const std::vector<Arrival>& arrivals, std::size_t warmup,
                   const HeartbeatKey& key, Stages* stages, std::unique_ptr<ClusterHealth>* keep_health) {
    const Instant start{Clock::now(), std::chrono::system_clock::now()};
    DatagramAdmission admission(c.config, c.master);
    auto health = std::make_unique<ClusterHealth>(c.config, start);
    RunResult result;
    auto process = [&](const Arrival& a) {
        DecodeResult decoded = decode_heartbeat(std::span<const std::uint8_t>(a.bytes), key);
        if (!decoded.report || admission.admit(*decoded.report, c.addresses[a.node])) {
            ++result.refused;
            return;
        }
        const Instant t{start.mono + a.at, start.wall + a.at};
        health->on_datagram(*decoded.report, c.master, t);
        result.changes += health->advance(t).size();
    };
    for (std::size_t k = 0; k < warmup; ++k) process(arrivals[k]);
    result.refused = 0;
    result.changes = 0;

    const auto t0 = Clock::now();
    if (!stages) {
        for (std::size_t k = warmup; k < arrivals.size(); ++k) process(arrivals[k]);
    } else {
        for (std::size_t k = warmup; k < arrivals.size(); ++k) {
            const Arrival& a = arrivals[k];
            const auto s0 = Clock::now();
            DecodeResult decoded = decode_heartbeat(std::span<const std::uint8_t>(a.bytes), key);
            const auto s1 = Clock::now();
            const bool refused = !decoded.report || admission.admit(*decoded.report, c.addresses[a.node]);
            const auto s2 = Clock::now();
            stages->decode += std::chrono::duration<double>(s1 - s0).count();
            stages->admit += std::chrono::duration<double>(s2 - s1).count();
            if (refused) {
                ++result.refused;
                continue;
            }
            const Instant t{start.mono + a.at, start.wall + a.at};
            health->on_datagram(*decoded.report, c.master, t);
            const auto s3 = Clock::now();
            result.changes += health->advance(t).size();
            const auto s4 = Clock::now();
            stages->apply += std::chrono::duration<double>(s3 - s2).count();
            stages->advance += std::chrono::duration<double>(s4 - s3).count();
        }
    }
    result.seconds = seconds_since(t0);
    result.datagrams = arrivals.size() - warmup;
    if (keep_health) *keep_health = std::move(health);
    return result;
}

template <class F>
double median_seconds(int repeats, F&& f) {
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = Clock::now();
        f();
        times.push_back(seconds_since(start));
    }
    return median(times);
}

// HMAC-SHA256 of one datagram's body two ways with libsodium: keyed afresh
// for every datagram (the key hashed into the inner and outer states each
// time), and as HeartbeatKey::sign does it, from a copy of a state keyed once.
void bench_hmac(const std::vector<Arrival>& arrivals, const HeartbeatKey& key) {
    const std::size_t count = std::min<std::size_t>(arrivals.size(), 100000);
    std::array<unsigned char, 32> tag{};
    auto body = [&](std::size_t k) {
        return std::span<const std::uint8_t>(arrivals[k].bytes.data(), arrivals[k].bytes.size() - 32);
    };
    std::vector<double> afresh, keyed_once;
    for (int run = 0; run < 3; ++run) {
        auto t = Clock::now();
        for (std::size_t k = 0; k < count; ++k) {
            crypto_auth_hmacsha256_state state;
            crypto_auth_hmacsha256_init(&state, key.bytes().data(), key.bytes().size());
            crypto_auth_hmacsha256_update(&state, body(k).data(), body(k).size());
            crypto_auth_hmacsha256_final(&state, tag.data());
        }
        afresh.push_back(seconds_since(t));
        t = Clock::now();
        for (std::size_t k = 0; k < count; ++k) tag = key.sign(body(k));
        keyed_once.push_back(seconds_since(t));
    }
    const double per = 1e9 / static_cast<double>(count);
    std::printf(
        "HMAC-SHA256 of a datagram alone (libsodium, median of 3): keyed afresh %.0f ns, keyed once and "
        "copied (HeartbeatKey::sign) %.0f ns\n",
        median(afresh) * per, median(keyed_once) * per);
}

struct Summary {
    int nodes = 0;
    double per_second = 0, ns = 0;
    double status_ms = 0, detail_ms = 0;
    std::size_t status_bytes = 0, detail_bytes = 0;
};

Summary bench_cluster(int n, const Options& o, const HeartbeatKey& key) {
    std::printf("\n== %s compute nodes, 2 masters, 2 hubs, ring links ==\n", thousands(n).c_str());
    Cluster c = make_cluster(n);
    std::printf("configuration: %zu hosts, %zu links\n", c.config.nodes.size(), c.config.links.size());

    // What a master builds once at start, at this size.
    const Instant now{Clock::now(), std::chrono::system_clock::now()};
    const double admission_s = median_seconds(1, [&] { DatagramAdmission a(c.config, c.master); });
    const double health_s = median_seconds(1, [&] { ClusterHealth h(c.config, now); });
    const double hearing_s = median_seconds(1, [&] { PeerHearing p(c.config, c.master); });
    std::printf(
        "start-up (once): load_cluster_config %.1f ms, DatagramAdmission %.1f ms, "
        "ClusterHealth %.1f ms, PeerHearing %.1f ms\n",
        c.load_s * 1e3, admission_s * 1e3, health_s * 1e3, hearing_s * 1e3);

    const int timed_rounds = std::max(1, (o.datagrams + 2 * n - 1) / (2 * n));
    const auto encode_start = Clock::now();
    const std::vector<Arrival> arrivals = encode_rounds(c, warmup_rounds + timed_rounds, key);
    const std::size_t warmup = static_cast<std::size_t>(warmup_rounds) * n * 2;
    std::size_t bytes = 0;
    for (const Arrival& a : arrivals) bytes += a.bytes.size();
    std::printf("encoded %s datagrams (%.0f bytes each on average) in %.2f s; %d warm-up + %d timed rounds\n",
                thousands(static_cast<double>(arrivals.size())).c_str(),
                static_cast<double>(bytes) / static_cast<double>(arrivals.size()),
                seconds_since(encode_start), warmup_rounds, timed_rounds);

    std::vector<double> rates, ns_each;
    std::unique_ptr<ClusterHealth> steady;
    for (int run = 0; run < o.runs; ++run) {
        check_stop();
        const RunResult r =
            run_once(c, arrivals, warmup, key, nullptr, run + 1 == o.runs ? &steady : nullptr);
        if (r.refused)
            std::printf("  (%zu datagrams refused: the benchmark's reports are wrong)\n", r.refused);
        const double rate = static_cast<double>(r.datagrams) / r.seconds;
        rates.push_back(rate);
        ns_each.push_back(r.seconds * 1e9 / static_cast<double>(r.datagrams));
        std::printf("  run %d: %s datagrams in %.3f s: %s datagrams/s, %.0f ns/datagram (%zu changes)\n",
                    run + 1, thousands(static_cast<double>(r.datagrams)).c_str(), r.seconds,
                    thousands(rate).c_str(), ns_each.back(), r.changes);
    }
    Summary s;
    s.nodes = n;
    s.per_second = median(rates);
    s.ns = median(ns_each);
    std::printf("median of %d runs: %s datagrams/s, %.0f ns/datagram\n", o.runs,
                thousands(s.per_second).c_str(), s.ns);

    bench_hmac(arrivals, key);

    Stages stages;
    const RunResult r = run_once(c, arrivals, warmup, key, &stages, nullptr);
    const double per = 1e9 / static_cast<double>(r.datagrams);
    std::printf(
        "per stage (one more run, clock reads included): decode_heartbeat %.0f ns, admit %.0f ns, "
        "on_datagram %.0f ns, advance %.0f ns\n",
        stages.decode * per, stages.admit * per, stages.apply * per, stages.advance * per);

    {
        const NodeStatus status = steady->status(std::chrono::system_clock::now());
        int nodes_up = 0, links_up = 0;
        for (const NodeState& ns : status.nodes) nodes_up += ns.up;
        for (const LinkState& ls : status.links) links_up += ls.up;
        std::printf(
            "steady state after the last run: %d of %zu hosts up, %d of %zu links up "
            "(master2 sends nothing here: its links stay down)\n",
            nodes_up, status.nodes.size(), links_up, status.links.size());
    }

    // What the primary writes every second at this size (text only; the file
    // writes, fsync and rename are measured by bench_master).
    const WallTime wall = std::chrono::system_clock::now();
    s.status_ms =
        1e3 * median_seconds(5, [&] { s.status_bytes = format_node_status(steady->status(wall)).size(); });
    NodeStatus built;
    const double status_only_ms = 1e3 * median_seconds(5, [&] { built = steady->status(wall); });
    const double format_only_ms = 1e3 * median_seconds(5, [&] { (void)format_node_status(built).size(); });
    s.detail_ms = 1e3 * median_seconds(5, [&] {
                      const NodeStatus status = steady->status(wall);
                      s.detail_bytes =
                          format_node_detail(steady->details(), status.links, {}, wall, "master1", 1).size();
                  });
    std::printf(
        "node_status text: %.1f ms (%s bytes; ClusterHealth::status %.1f ms, format_node_status %.1f ms); "
        "node_detail.json text: %.1f ms (%s bytes)\n",
        s.status_ms, thousands(static_cast<double>(s.status_bytes)).c_str(), status_only_ms, format_only_ms,
        s.detail_ms, thousands(static_cast<double>(s.detail_bytes)).c_str());
    return s;
}

void benchmark(const Options& o) {
    const HeartbeatKey key = bench_key();
    std::vector<Summary> all;
    for (int n : o.nodes) all.push_back(bench_cluster(n, o, key));
    std::printf("\nSummary (one core, median of %d runs; decode + admit + on_datagram + advance):\n", o.runs);
    std::printf("%10s %16s %14s %18s %22s\n", "nodes", "datagrams/s", "ns/datagram", "node_status text",
                "node_detail.json text");
    for (const Summary& s : all)
        std::printf("%10s %16s %14.0f %15.1f ms %19.1f ms\n", thousands(s.nodes).c_str(),
                    thousands(s.per_second).c_str(), s.ns, s.status_ms, s.detail_ms);
}

}  // namespace

int main(int argc, char** argv) {
    return run_benchmark("bench_datagrams", argc, argv, parse_options, benchmark);
}
