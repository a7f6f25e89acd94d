// bench_master: a real pulse master under N simulated compute nodes at
// HeartBeat 1 s (N = 1,000 and 10,000 by default).
//
// Each run writes a cluster root of its own (N compute nodes on 127.20.x.y in
// a ring of direct links, all on one hub, master1 at 127.19.0.1, timeouts of
// 3 s, a PulsePort no one else uses), makes a key and starts build/bin/pulse
// as master1. This program then plays the N nodes from one thread and one UDP
// socket: every node's signed report (channel report_channel, sequence from
// the wall clock in microseconds, what it heard from its ring neighbours and
// on the hub) goes to the master from the node's own address, set per
// datagram with an IP_PKTINFO control message; the sends of each second are
// spread over the second (node i at i/N of it, sent in 1 ms batches).
//
// Measured, after every node is up in node_status and a settling time:
// - the master's CPU share over --measure seconds (utime + stime from
//   /proc/PID/stat over wall time), VmRSS and VmHWM, the kernel's drops on
//   its socket (receive buffer full), and node_status writes: how often, and
//   how long from node_status's temporary file to its rename (writing and
//   syncing it, the lease lock, the rename; formatting the text that comes
//   before the file is created is timed by bench_datagrams), told apart by
//   whether node_detail.json (written by its own thread) was being written meanwhile;
// - death latency: --dead nodes stop sending at known moments, 650 ms apart;
//   a node's deadline is its last datagram's send time + NodeTimeOut, and its
//   latency is when node_status (watched with inotify) first shows it 0,
//   minus that deadline.
// The master is killed at the end of each run and on any error or interrupt.
//
// With --ramp S the nodes start one after another over S seconds (a cluster
// booting) instead of all at once (a master started under a running cluster).
//
// Usage: bench_master [--nodes 1000,10000] [--runs 3] [--measure 20] [--dead 5] [--ramp S] [--keep]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "pulse/daemon/heartbeat_key_file.hpp"
#include "pulse/heartbeat/heartbeat_codec.hpp"
#include "share/formats/node_detail.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/bench/bench_support.hpp"

namespace {

using namespace lobos;
using namespace lobos::bench;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr double heartbeat_s = 1;
constexpr double timeout_s = 3;  // NodeTimeOut, LinkTimeOut, MasterTimeOut
// After every node is up, the first link changes and the writes they cause settle this long.
constexpr auto settle_time = std::chrono::seconds(3);
// The dead nodes stop sending this far apart, off the whole second.
constexpr auto death_spacing = milliseconds(650);
// While warming up, progress is printed this often.
constexpr auto progress_interval = std::chrono::seconds(5);
// How long after the last deadline to wait for node_status to show the last death.
constexpr auto death_wait = std::chrono::seconds(10);
// The generator sends in batches this often (10 datagrams a batch at 10,000 nodes).
constexpr auto tick = milliseconds(1);
// A node lists at most this many peers on a hub (PeerHearing::max_hub_peers), masters first.
constexpr std::size_t hub_peers = 16;
// PeerHearing lists peers heard within 2 x max(NodeTimeOut, LinkTimeOut).
constexpr auto peer_horizon = std::chrono::seconds(6);

double ms(nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }
double secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Options {
    std::vector<int> nodes{1000, 10000};
    int runs = 3;
    double measure_s = 20;
    int dead = 5;
    double ramp_s = 0;  // the nodes start over this long instead of all at once
    bool keep = false;
};

std::optional<Options> parse_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    std::string nodes = "1000,10000";
    po::options_description options;
    options.add_options()                                                                                 //
        ("nodes", po::value(&nodes)->value_name("N,N..."), "cluster sizes (default 1000,10000)")          //
        ("runs", po::value(&o.runs)->value_name("N"), "runs per size (default 3)")                        //
        ("measure", po::value(&o.measure_s)->value_name("S"), "seconds of CPU measurement (default 20)")  //
        ("dead", po::value(&o.dead)->value_name("N"), "nodes stopped per run (default 5)")                //
        ("ramp", po::value(&o.ramp_s)->value_name("S"), "start the nodes over S seconds (default 0)")     //
        ("keep", po::bool_switch(&o.keep), "keep the cluster root");
    if (!read_command_line(argc, argv, "bench_master [options]", options)) return std::nullopt;
    o.nodes = node_counts(nodes);
    if (o.runs < 1 || o.measure_s < 1 || o.measure_s > 600 || o.dead < 1 || o.ramp_s < 0 || o.ramp_s > 1200)
        throw std::runtime_error("bad options");
    for (int n : o.nodes)
        if (n < 10 || n > 10000 || n < 4 * o.dead)
            throw std::runtime_error(
                "--nodes: between 10 and 10000 (127.20.0.1 .. 127.20.39.250), >= 4 x --dead");
    return o;
}

// Watches the cluster root with inotify on a thread of its own: every
// publication of node_status (its rename into place) is read and scanned for
// how many compute nodes are up and the states of the nodes that will die.
class StatusWatch {
public:
    struct Write {
        TimePoint published;
        double ms = 0;             // node_status's temporary file created -> renamed into place
        bool with_detail = false;  // node_detail.json was being written meanwhile
        int compute_up = 0;
    };

    StatusWatch(const std::filesystem::path& root, std::vector<std::string> watched, int compute)
        : root_(root), watched_(std::move(watched)), compute_(compute), down_(watched_.size()) {
        fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd_ < 0) throw std::runtime_error(std::string("inotify_init1: ") + std::strerror(errno));
        if (inotify_add_watch(fd_, root.c_str(), IN_CREATE | IN_MOVED_TO) < 0)
            throw std::runtime_error("cannot watch " + root.string() + ": " + std::strerror(errno));
        thread_ = std::thread([this] { loop(); });
    }
    ~StatusWatch() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    StatusWatch(const StatusWatch&) = delete;
    StatusWatch& operator=(const StatusWatch&) = delete;

    std::optional<TimePoint> first_status() const {
        std::lock_guard lock(mutex_);
        return first_status_;
    }
    std::optional<TimePoint> all_up() const {
        std::lock_guard lock(mutex_);
        return all_up_;
    }
    int compute_up() const {
        std::lock_guard lock(mutex_);
        return last_up_;
    }
    std::vector<Write> writes() const {
        std::lock_guard lock(mutex_);
        return writes_;
    }
    // When node_status showed watched node k go from 1 to 0, every time it did.
    std::vector<TimePoint> downs(std::size_t k) const {
        std::lock_guard lock(mutex_);
        return down_[k];
    }

private:
    void loop() {
        // A node_status write starts with its temporary file and ends when it
        // is renamed into place. node_detail.json is written by a thread of
        // its own, from its temporary file to its rename: a node_status write
        // that overlaps one is counted "with node_detail.json".
        TimePoint write_started{};  // {} while no node_status write is under way
        bool detail_writing = false, overlapped = false;
        std::vector<int> was_up(watched_.size(), -1);
        alignas(inotify_event) char buffer[16384];
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            const ssize_t got = ::read(fd_, buffer, sizeof buffer);
            const TimePoint t = Clock::now();
            for (ssize_t off = 0; off < got;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buffer + off);
                off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
                const std::string_view name = e->len ? std::string_view(e->name) : std::string_view();
                const bool status_tmp = name.starts_with(".node_status.tmp.");
                const bool detail_tmp = name.starts_with(".node_detail.json.tmp.");
                if ((e->mask & IN_CREATE) && status_tmp) {
                    if (write_started == TimePoint{}) write_started = t;
                    overlapped = overlapped || detail_writing;
                } else if ((e->mask & IN_CREATE) && detail_tmp) {
                    detail_writing = true;
                    overlapped = overlapped || write_started != TimePoint{};
                } else if ((e->mask & IN_MOVED_TO) && name == "node_detail.json") {
                    detail_writing = false;
                } else if ((e->mask & IN_MOVED_TO) && name == "node_status") {
                    Write w{t, write_started != TimePoint{} ? ms(t - write_started) : 0.0,
                            overlapped || detail_writing, 0};
                    write_started = TimePoint{};
                    overlapped = false;
                    scan(t, w, was_up);
                }
            }
        }
    }

    // Reads node_status as it is now; only `node TIME NAME STATE` lines matter.
    void scan(TimePoint t, Write w, std::vector<int>& was_up) {
        std::optional<std::string> text;
        try {
            text = read_file_if_exists(root_ / "node_status");
        } catch (const std::exception&) {
        }
        if (!text) return;
        std::vector<int> now_up(watched_.size(), -1);
        std::string_view rest(*text);
        while (!rest.empty()) {
            const auto end = rest.find('\n');
            const std::string_view line = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            if (!line.starts_with("node ")) continue;
            const auto name_start = line.find(' ', 5);
            if (name_start == std::string_view::npos) continue;
            const auto name_end = line.find(' ', name_start + 1);
            if (name_end == std::string_view::npos) continue;
            const std::string_view name = line.substr(name_start + 1, name_end - name_start - 1);
            const bool up = line.substr(name_end + 1).starts_with("1");
            if (name.size() == 6 && name[0] == 'n' && up) ++w.compute_up;
            for (std::size_t k = 0; k < watched_.size(); ++k)
                if (name == watched_[k]) now_up[k] = up;
        }
        std::lock_guard lock(mutex_);
        if (!first_status_) first_status_ = t;
        last_up_ = w.compute_up;
        if (w.compute_up == compute_ && !all_up_) all_up_ = t;
        writes_.push_back(w);
        for (std::size_t k = 0; k < watched_.size(); ++k) {
            if (was_up[k] == 1 && now_up[k] == 0) down_[k].push_back(t);
            if (now_up[k] >= 0) was_up[k] = now_up[k];
        }
    }

    std::filesystem::path root_;
    std::vector<std::string> watched_;
    int compute_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::optional<TimePoint> first_status_, all_up_;
    int last_up_ = 0;
    std::vector<Write> writes_;
    std::vector<std::vector<TimePoint>> down_;
    std::thread thread_;  // last: starts when everything above is ready
};

// The N compute nodes, from one UDP socket.
class NodeSimulator {
public:
    NodeSimulator(const ClusterConfig& config, int compute, HeartbeatKey key, std::uint16_t port)
        : key_(std::move(key)), n_(compute) {
        master_id_ = compute + 1;
        addresses_.resize(n_);
        for (int i = 0; i < n_; ++i)
            if (::inet_pton(AF_INET, compute_address(i).c_str(), &addresses_[i]) != 1)
                throw std::runtime_error("bad address " + compute_address(i));
        ring_prev_.assign(n_, -1);
        ring_next_.assign(n_, -1);
        hub_link_.assign(n_, -1);
        for (int l = 0; l < static_cast<int>(config.links.size()); ++l) {
            const Link& link = config.links[l];
            const int a = index_of(link.name1);
            const int b = index_of(link.name2);
            if (link.kind == LinkKind::hub && a >= 0) hub_link_[a] = l;
            if (link.kind == LinkKind::direct && a >= 0 && b >= 0) {
                ring_next_[a] = l;
                ring_prev_[b] = l;
            }
        }
        // Nodes start at unrelated moments: their phases within the second are
        // shuffled, so that ring neighbours do not send one after the other.
        order_.resize(n_);
        for (int i = 0; i < n_; ++i) order_[i] = i;
        std::mt19937 random(12345);
        std::shuffle(order_.begin(), order_.end(), random);
        last_sent_.assign(n_, std::nullopt);
        sequence_.assign(n_, 0);
        alive_.assign(n_, true);

        socket_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (socket_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        sockaddr_in any{};
        any.sin_family = AF_INET;
        any.sin_addr.s_addr = htonl(INADDR_ANY);
        if (::bind(socket_, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0)
            throw std::runtime_error(std::string("bind 0.0.0.0:0: ") + std::strerror(errno));
        int big = 4 << 20;
        ::setsockopt(socket_, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        master_.sin_family = AF_INET;
        master_.sin_port = htons(port);
        ::inet_pton(AF_INET, master_address(0).c_str(), &master_.sin_addr);
    }
    ~NodeSimulator() { ::close(socket_); }
    NodeSimulator(const NodeSimulator&) = delete;
    NodeSimulator& operator=(const NodeSimulator&) = delete;

    int size() const { return n_; }
    // The node that sends in the s-th of the N slots of every second.
    int in_slot(std::int64_t s) const { return order_[static_cast<std::size_t>(s % n_)]; }
    bool alive(int i) const { return alive_[i]; }
    void kill(int i) { alive_[i] = false; }
    std::optional<TimePoint> last_sent(int i) const { return last_sent_[i]; }
    std::uint64_t sent() const { return sent_; }
    std::uint64_t failed() const { return failed_; }
    int last_error() const { return last_error_; }

    // Node i's heartbeat, as pulse would send it now.
    void send(int i) {
        const TimePoint now = Clock::now();
        const auto wall = std::chrono::system_clock::now();
        HeartbeatReport& r = report_;
        r.sender = i + 1;
        r.channel = report_channel;
        r.sent_unix_ms = std::chrono::duration_cast<milliseconds>(wall.time_since_epoch()).count();
        const auto wall_us = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count());
        sequence_[i] = std::max(sequence_[i] + 1, wall_us);
        r.sequence = sequence_[i];
        r.load_average = 0.25f * static_cast<float>(i % 8);
        r.memory_free_bytes = (2048ull + i % 1024) << 20;
        r.memory_total_bytes = 4096ull << 20;
        r.cpus.clear();
        for (int cpu = 0; cpu < 2 + i % 3; ++cpu)
            r.cpus.push_back({static_cast<float>((i * 7 + cpu * 13 + sent_) % 100) / 100.0f, true});
        r.disks = {{(100ull + i % 50) << 30, 200ull << 30}};
        r.links.clear();
        // The ring neighbours, as last heard (a dead one with its age growing until the horizon).
        for (auto [link, peer] :
             {std::pair{ring_prev_[i], (i + n_ - 1) % n_}, std::pair{ring_next_[i], (i + 1) % n_}}) {
            LinkHeard heard{link, {}};
            if (auto age = age_of(peer, now)) heard.heard.push_back({peer + 1, *age});
            // PeerHearing passes on that a live far end heard this node's previous heartbeat.
            const auto peer_age = age_of(peer, now);
            const auto own_age = age_of(i, now);
            if (peer_age && *peer_age < 1500 && own_age) heard.heard.push_back({i + 1, *own_age});
            r.links.push_back(std::move(heard));
        }
        // On the hub: the master (its own beat's age is not known here), then the most recently heard.
        LinkHeard hub{hub_link_[i], {{master_id_, 500}}};
        for (auto it = recent_.rbegin(); it != recent_.rend() && hub.heard.size() < hub_peers; ++it)
            if (*it != i)
                if (auto age = age_of(*it, now)) hub.heard.push_back({*it + 1, *age});
        r.links.push_back(std::move(hub));
        const std::vector<std::uint8_t> datagram = encode_heartbeat(r, key_);

        iovec iov{const_cast<std::uint8_t*>(datagram.data()), datagram.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
        msghdr msg{};
        msg.msg_name = &master_;
        msg.msg_namelen = sizeof master_;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        info.ipi_spec_dst = addresses_[i];  // the source address of this datagram
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        if (::sendmsg(socket_, &msg, 0) < 0) {
            ++failed_;
            last_error_ = errno;
            return;
        }
        ++sent_;
        last_sent_[i] = Clock::now();
        recent_.push_back(i);
        if (recent_.size() > hub_peers) recent_.pop_front();
    }

private:
    static int index_of(const std::string& name) {
        return name.size() == 6 && name[0] == 'n' ? std::stoi(name.substr(1)) - 1 : -1;
    }
    std::optional<std::uint32_t> age_of(int peer, TimePoint now) const {
        if (!last_sent_[peer] || now - *last_sent_[peer] > peer_horizon) return std::nullopt;
        return static_cast<std::uint32_t>(
            std::chrono::duration_cast<milliseconds>(now - *last_sent_[peer]).count());
    }

    HeartbeatKey key_;
    int n_;
    NodeId master_id_ = 0;
    std::vector<in_addr> addresses_;
    std::vector<int> ring_prev_, ring_next_, hub_link_;
    std::vector<int> order_;
    std::vector<std::optional<TimePoint>> last_sent_;
    std::vector<std::uint64_t> sequence_;
    std::vector<bool> alive_;
    std::deque<int> recent_;
    HeartbeatReport report_;
    int socket_ = -1;
    sockaddr_in master_{};
    std::uint64_t sent_ = 0, failed_ = 0;
    int last_error_ = 0;
};

// "2026-11-23 20:31:28.683", local time, as node.log starts its lines.
std::string log_stamp(std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm local{};
    localtime_r(&t, &local);
    char text[40];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    const auto ms = std::chrono::duration_cast<milliseconds>(at.time_since_epoch()).count() % 1000;
    std::snprintf(text + n, sizeof text - n, ".%03lld", static_cast<long long>(ms));
    return text;
}

double thread_cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double process_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string tail(const std::filesystem::path& file, std::size_t bytes) {
    std::string text = read_file_if_exists(file).value_or("");
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

struct RunResult {
    int nodes = 0;
    bool all_up = true;          // every compute node was up by the end of the warm-up
    int up_min = 0, up_max = 0;  // compute nodes up in node_status while measuring
    double start_s = 0;          // master started -> first node_status
    double warm_s = 0;           // master started -> every compute node up
    double cpu_pct = 0;          // of one core, over the measuring window
    double rss_mib = 0, hwm_mib = 0;
    double writes_per_s = 0;
    double write_ms_median = 0, write_ms_max = 0;                  // every node_status write in the window
    double write_detail_ms_median = 0, write_plain_ms_median = 0;  // with node_detail.json due, and without
    std::uint64_t kernel_drops = 0;                                // on the master's socket, in the window
    std::uint64_t kernel_drops_warmup = 0;
    double send_rate = 0;          // datagrams/s actually sent in the window
    double gen_cpu_pct = 0;        // this program's sending thread
    double bench_cpu_pct = 0;      // this program, all threads (sending, watching node_status)
    double max_lag_ms = 0;         // latest send behind its schedule, in the window
    std::uint64_t late_sends = 0;  // more than 5 ms behind
    std::vector<double> death_ms;  // per dead node: node_status shows 0 minus deadline
    int deaths_unseen = 0;
    int spurious_downs = 0;  // compute nodes not stopped that went down after the warm-up
    int warmup_downs = 0;    // ... and during it
    std::string dropped;     // the master's own drop counters from node_detail.json
    std::uint64_t send_failures = 0;
};

RunResult run_once(int n, const Options& o, int run) {
    RunResult result;
    result.nodes = n;
    ScratchDir scratch("master-" + std::to_string(n) + "-" + std::to_string(run), o.keep);
    const std::filesystem::path root = scratch.path();
    const std::uint16_t port = free_udp_ports(1);  // PulsePort and the hub's port
    ClusterShape shape;
    shape.compute = n;
    shape.masters = 1;
    shape.hubs = 1;
    shape.heartbeat = heartbeat_s;
    shape.timeout = timeout_s;
    shape.port = port;
    const ClusterTexts texts = generate_cluster(shape);
    write_cluster_config(root, texts);
    if (run_to_end({program("pulse"), "--keygen", "--root", root.string()}, root / "keygen.log",
                   std::chrono::seconds(60)) != 0)
        throw std::runtime_error("pulse --keygen failed: " + tail(root / "keygen.log", 2000));
    ConfigLoad load = read_cluster_config(root / "config");
    if (!load.ok()) throw std::runtime_error("the generated configuration does not load");
    NodeSimulator nodes(load.config, n, load_heartbeat_key(root / "config" / "cluster.key"), port);

    // The nodes that will die, spread round the ring so that no two are neighbours.
    std::vector<int> dying;
    std::vector<std::string> dying_names;
    for (int k = 0; k < o.dead; ++k) {
        dying.push_back(k * n / o.dead + n / (2 * o.dead));
        dying_names.push_back(compute_name(dying.back()));
    }
    StatusWatch watch(root, dying_names, n);

    const TimePoint launched = Clock::now();
    ChildProcess master({program("pulse"), "--node", "master1", "--root", root.string()},
                        root / "master.log");
    const auto master_log = root / "master.log";
    const std::string master_ip = master_address(0);

    enum class Phase { warm, settle, measure, death, done };
    Phase phase = Phase::warm;
    const auto ramp = nanoseconds(static_cast<std::int64_t>(o.ramp_s * 1e9));
    const auto warm_limit = ramp + std::chrono::seconds(30) + milliseconds(3) * n;
    // While warming up, a line every few seconds shows how it goes.
    TimePoint next_progress = launched + progress_interval;
    double progress_cpu = 0;
    std::size_t progress_writes = 0;
    const nanoseconds slot = nanoseconds(1'000'000'000) / n;
    const TimePoint schedule_start = Clock::now();
    std::int64_t next = 0;  // the next send in the schedule: slot next % n in round next / n
    auto due = [&](std::int64_t k) { return schedule_start + slot * k; };

    TimePoint measure_start{}, measure_end{}, death_start{};
    std::string warm_end_text;  // when every node was up, as node.log writes times
    double cpu0 = 0, gen0 = 0, bench0 = 0;
    std::uint64_t drops0 = 0, sent0 = 0;
    std::vector<TimePoint> stop_at;
    TimePoint next_tick = schedule_start;

    while (phase != Phase::done) {
        check_stop();
        if (!master.running()) throw std::runtime_error("the master ended: " + tail(master_log, 3000));
        const TimePoint now = Clock::now();
        const bool measuring = phase == Phase::measure;
        while (due(next) <= now) {
            const int i = nodes.in_slot(next);
            // With --ramp, the node of slot s joins at s/N of the ramp.
            const bool joined = ramp.count() == 0 || due(next) - schedule_start >= ramp / n * (next % n);
            if (joined && nodes.alive(i)) {
                nodes.send(i);
                if (measuring) {
                    const double lag = ms(Clock::now() - due(next));
                    result.max_lag_ms = std::max(result.max_lag_ms, lag);
                    if (lag > 5) ++result.late_sends;
                }
            }
            ++next;
        }
        if (nodes.sent() == 0 && nodes.failed() > 100)
            throw std::runtime_error(std::string("cannot send from the nodes' addresses: ") +
                                     std::strerror(nodes.last_error()));

        switch (phase) {
            case Phase::warm:
                if (now >= next_progress) {
                    const double cpu = cpu_seconds(master.pid()).value_or(0);
                    const auto writes = watch.writes();
                    std::vector<double> recent;
                    for (std::size_t w = progress_writes; w < writes.size(); ++w)
                        recent.push_back(writes[w].ms);
                    std::printf(
                        "  warming up, %.0f s: %d of %d nodes up; master CPU %.0f%%, %.1f node_status "
                        "writes/s of %.1f ms median; kernel drops so far %llu\n",
                        secs(now - launched), watch.compute_up(), n,
                        100 * (cpu - progress_cpu) / secs(progress_interval),
                        static_cast<double>(recent.size()) / secs(progress_interval), median(recent),
                        static_cast<unsigned long long>(udp_socket_drops(master_ip, port).value_or(0)));
                    std::fflush(stdout);
                    progress_cpu = cpu;
                    progress_writes = writes.size();
                    next_progress += progress_interval;
                }
                if (auto up = watch.all_up()) {
                    result.start_s = secs(*watch.first_status() - launched);
                    result.warm_s = secs(*up - launched);
                    warm_end_text = log_stamp(std::chrono::system_clock::now());
                    result.kernel_drops_warmup = udp_socket_drops(master_ip, port).value_or(0);
                    measure_start = now + settle_time;
                    phase = Phase::settle;
                } else if (now - launched > warm_limit) {
                    // Measure the master as it is, but there is no death latency to measure.
                    result.all_up = false;
                    result.warm_s = secs(now - launched);
                    if (auto first = watch.first_status()) result.start_s = secs(*first - launched);
                    result.kernel_drops_warmup = udp_socket_drops(master_ip, port).value_or(0);
                    measure_start = now;
                    phase = Phase::settle;
                }
                break;
            case Phase::settle:
                if (now >= measure_start) {
                    measure_start = now;
                    measure_end = now + nanoseconds(static_cast<std::int64_t>(o.measure_s * 1e9));
                    cpu0 = cpu_seconds(master.pid()).value_or(0);
                    gen0 = thread_cpu_seconds();
                    bench0 = process_cpu_seconds();
                    drops0 = udp_socket_drops(master_ip, port).value_or(0);
                    sent0 = nodes.sent();
                    phase = Phase::measure;
                }
                break;
            case Phase::measure:
                if (now >= measure_end) {
                    const double wall = secs(now - measure_start);
                    result.cpu_pct = 100 * (cpu_seconds(master.pid()).value_or(0) - cpu0) / wall;
                    result.gen_cpu_pct = 100 * (thread_cpu_seconds() - gen0) / wall;
                    result.bench_cpu_pct = 100 * (process_cpu_seconds() - bench0) / wall;
                    result.kernel_drops = udp_socket_drops(master_ip, port).value_or(0) - drops0;
                    result.send_rate = static_cast<double>(nodes.sent() - sent0) / wall;
                    result.rss_mib = status_kib(master.pid(), "VmRSS").value_or(0) / 1024.0;
                    result.hwm_mib = status_kib(master.pid(), "VmHWM").value_or(0) / 1024.0;
                    std::vector<double> all, plain, detail;
                    result.up_min = n;
                    for (const auto& w : watch.writes()) {
                        if (w.published < measure_start || w.published > now) continue;
                        result.up_min = std::min(result.up_min, w.compute_up);
                        result.up_max = std::max(result.up_max, w.compute_up);
                        all.push_back(w.ms);
                        (w.with_detail ? detail : plain).push_back(w.ms);
                    }
                    result.writes_per_s = static_cast<double>(all.size()) / wall;
                    result.write_ms_median = median(all);
                    result.write_ms_max = maximum(all);
                    result.write_plain_ms_median = median(plain);
                    result.write_detail_ms_median = median(detail);
                    if (!result.all_up) {
                        phase = Phase::done;
                        break;
                    }
                    death_start = now + milliseconds(500);
                    for (int k = 0; k < o.dead; ++k) stop_at.push_back(death_start + death_spacing * k);
                    phase = Phase::death;
                }
                break;
            case Phase::death: {
                bool all_seen = true;
                TimePoint last_deadline = death_start;
                for (int k = 0; k < o.dead; ++k) {
                    if (now >= stop_at[k]) nodes.kill(dying[k]);
                    if (nodes.alive(dying[k])) {
                        all_seen = false;
                        continue;
                    }
                    const TimePoint deadline =
                        *nodes.last_sent(dying[k]) + nanoseconds(static_cast<std::int64_t>(timeout_s * 1e9));
                    last_deadline = std::max(last_deadline, deadline);
                    const auto downs = watch.downs(k);
                    if (std::none_of(downs.begin(), downs.end(),
                                     [&](TimePoint t) { return t >= stop_at[k]; }))
                        all_seen = false;
                }
                if (all_seen || (stop_at.back() <= now && now > last_deadline + death_wait))
                    phase = Phase::done;
                break;
            }
            case Phase::done:
                break;
        }

        // Sleep to the next batch: absolute times, so that the schedule does not drift.
        next_tick += tick;
        if (next_tick < Clock::now()) next_tick = Clock::now();
        const auto since_epoch =
            std::chrono::duration_cast<nanoseconds>(next_tick.time_since_epoch()).count();
        timespec until{static_cast<time_t>(since_epoch / 1'000'000'000),
                       static_cast<long>(since_epoch % 1'000'000'000)};
        ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
    }

    for (int k = 0; k < o.dead && result.all_up; ++k) {
        const TimePoint deadline =
            *nodes.last_sent(dying[k]) + nanoseconds(static_cast<std::int64_t>(timeout_s * 1e9));
        const auto downs = watch.downs(k);
        auto seen = std::find_if(downs.begin(), downs.end(), [&](TimePoint t) { return t >= stop_at[k]; });
        if (seen == downs.end())
            ++result.deaths_unseen;
        else
            result.death_ms.push_back(ms(*seen - deadline));
    }
    result.send_failures = nodes.failed();

    // Nodes that went down without being stopped (the log says why), during
    // and after the warm-up: node.log's times compare as text.
    const std::string log = read_file_if_exists(root / "node.log").value_or("");
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream f(line);
        std::string date, time, name, what;
        f >> date >> time >> name >> what;
        if (what == "down:" && name.size() == 6 && name[0] == 'n' &&
            std::find(dying_names.begin(), dying_names.end(), name) == dying_names.end())
            ++(!warm_end_text.empty() && date + " " + time >= warm_end_text ? result.spurious_downs
                                                                            : result.warmup_downs);
    }
    if (auto detail = read_file_if_exists(root / "node_detail.json")) {
        NodeDetailRead read = parse_node_detail(*detail);
        if (read.detail)
            for (const auto& [reason, count] : read.detail->dropped)
                result.dropped += (result.dropped.empty() ? "" : " ") + reason + "=" + std::to_string(count);
    }
    master.stop();
    return result;
}

// "4.2 ms", or "-" when there was nothing to measure.
std::string ms_text(double v) {
    if (std::isnan(v)) return "-";
    char b[32];
    std::snprintf(b, sizeof b, "%.1f ms", v);
    return b;
}

void print_run(const RunResult& r) {
    std::string deaths;
    for (double d : r.death_ms) {
        char b[16];
        std::snprintf(b, sizeof b, "%s%.1f", deaths.empty() ? "" : " ", d);
        deaths += b;
    }
    if (!r.all_up)
        std::printf(
            "  NOT ALL UP: %d to %d of %d compute nodes up while measuring (after a %.0f s warm-up)\n",
            r.up_min, r.up_max, r.nodes, r.warm_s);
    std::printf(
        "  start %.1f s, all up %.1f s; master CPU %.2f%%, RSS %.1f MiB (HWM %.1f); "
        "node_status writes %.2f/s, %s median (%s max; %s with node_detail.json, "
        "%s without); kernel drops %llu (warm-up %llu)\n",
        r.start_s, r.warm_s, r.cpu_pct, r.rss_mib, r.hwm_mib, r.writes_per_s,
        ms_text(r.write_ms_median).c_str(), ms_text(r.write_ms_max).c_str(),
        ms_text(r.write_detail_ms_median).c_str(), ms_text(r.write_plain_ms_median).c_str(),
        static_cast<unsigned long long>(r.kernel_drops),
        static_cast<unsigned long long>(r.kernel_drops_warmup));
    std::printf(
        "  sent %s datagrams/s (sending thread %.1f%% CPU, this program %.1f%%; latest send %.1f ms "
        "behind schedule, %llu > 5 ms; %llu send failures); death latency ms: %s%s; "
        "spurious downs %d (in the warm-up %d); master's drops: %s\n",
        thousands(r.send_rate).c_str(), r.gen_cpu_pct, r.bench_cpu_pct, r.max_lag_ms,
        static_cast<unsigned long long>(r.late_sends), static_cast<unsigned long long>(r.send_failures),
        deaths.c_str(),
        r.deaths_unseen ? (" (" + std::to_string(r.deaths_unseen) + " never seen)").c_str() : "",
        r.spurious_downs, r.warmup_downs, r.dropped.empty() ? "none" : r.dropped.c_str());
}

void benchmark(const Options& o) {
    std::printf(
        "bench_master: HeartBeat %.0f s, NodeTimeOut %.0f s, %d runs of %.0f s measuring, %d deaths a "
        "run\n",
        heartbeat_s, timeout_s, o.runs, o.measure_s, o.dead);
    std::map<int, std::vector<RunResult>> results;
    for (int n : o.nodes) {
        for (int run = 0; run < o.runs; ++run) {
            std::printf("N = %s, run %d:\n", thousands(n).c_str(), run + 1);
            std::fflush(stdout);
            results[n].push_back(run_once(n, o, run));
            print_run(results[n].back());
            std::fflush(stdout);
        }
    }
    std::printf("\nSummary: median of %d runs per N (death latency: median and max over all runs' deaths)\n",
                o.runs);
    std::printf("%7s %9s %9s %9s %9s %11s %13s %9s %10s %11s %12s %12s\n", "nodes", "CPU %", "RSS MiB",
                "HWM MiB", "all up s", "writes/s", "write ms", "k.drops", "sent/s", "sender CPU%",
                "death median", "death max");
    for (const auto& [n, runs] : results) {
        auto col = [&](auto field) {
            std::vector<double> v;
            for (const RunResult& r : runs) v.push_back(static_cast<double>(field(r)));
            return median(v);
        };
        std::vector<double> deaths;
        for (const RunResult& r : runs) deaths.insert(deaths.end(), r.death_ms.begin(), r.death_ms.end());
        int up_runs = 0;
        for (const RunResult& r : runs) up_runs += r.all_up;
        char warm[32];
        if (up_runs == static_cast<int>(runs.size()))
            std::snprintf(warm, sizeof warm, "%.1f", col([](auto& r) { return r.warm_s; }));
        else
            std::snprintf(warm, sizeof warm, "no (%d/%zu)", up_runs, runs.size());
        char write[32];
        std::snprintf(write, sizeof write, "%.1f (%.1f)", col([](auto& r) { return r.write_ms_median; }),
                      col([](auto& r) { return r.write_ms_max; }));
        std::printf("%7s %9.2f %9.1f %9.1f %9s %11.2f %13s %9.0f %10s %11.1f %12s %12s\n",
                    thousands(n).c_str(), col([](auto& r) { return r.cpu_pct; }),
                    col([](auto& r) { return r.rss_mib; }), col([](auto& r) { return r.hwm_mib; }), warm,
                    col([](auto& r) { return r.writes_per_s; }), write,
                    col([](auto& r) { return r.kernel_drops; }),
                    thousands(col([](auto& r) { return r.send_rate; })).c_str(),
                    col([](auto& r) { return r.gen_cpu_pct; }), ms_text(median(deaths)).c_str(),
                    ms_text(maximum(deaths)).c_str());
    }
    std::printf(
        "(all up s: master started -> every node up in node_status, or in how many runs that happened; "
        "write ms: node_status's temporary file created -> renamed, median (max); k.drops: "
        "datagrams "
        "the kernel dropped at the master's full socket while measuring)\n");
}

}  // namespace

int main(int argc, char** argv) {
    return run_benchmark("bench_master", argc, argv, parse_options, benchmark);
}
