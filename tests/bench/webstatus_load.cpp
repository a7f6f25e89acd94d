// webstatus under load: a generated 1,024-node cluster status (node_status
// and node_detail.json written here, as a primary master would, no pulse
// needed), webstatus started on loopback, then `/api/nodes` hammered with
// wrk (-t2 -c32 -d10s) when it is installed, else with a small keep-alive
// load generator of its own. Also the page's transfer size.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/program_options.hpp>

#include "share/formats/job_status.hpp"
#include "share/formats/node_detail.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/bench/bench_support.hpp"

using namespace lobos;
using namespace lobos::bench;
using namespace std::chrono_literals;

namespace {

struct Options {
    int nodes = 1024;
    int runs = 3;
    int seconds = 10;
    bool keep = false;
};

std::optional<Options> parse_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description options;
    options.add_options()  //
        ("nodes", po::value(&o.nodes)->value_name("N"),
         "compute nodes of the generated status (default 1024)")                                     //
        ("runs", po::value(&o.runs)->value_name("N"), "load runs, the median reported (default 3)")  //
        ("seconds", po::value(&o.seconds)->value_name("S"), "length of each run (default 10)")       //
        ("keep", po::bool_switch(&o.keep), "keep the cluster root");
    if (!read_command_line(argc, argv, "bench_webstatus [options]", options)) return std::nullopt;
    if (o.nodes < 1 || o.runs < 1 || o.seconds < 1) throw std::runtime_error("bad options");
    return o;
}

const std::string address = "127.77.250.1";

std::uint16_t free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &at.sin_addr);
    socklen_t size = sizeof at;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&at), &size) != 0)
        throw std::runtime_error("no free TCP port on " + address);
    ::close(fd);
    return ntohs(at.sin_port);
}

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// One keep-alive GET: the body's size, or -1.
long long get(int fd, const std::string& target, std::string& buffer) {
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: bench\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
        return -1;
    buffer.clear();
    std::size_t head_end = std::string::npos;
    long long length = -1;
    char chunk[65536];
    while (true) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return -1;
        buffer.append(chunk, static_cast<std::size_t>(n));
        if (head_end == std::string::npos && (head_end = buffer.find("\r\n\r\n")) != std::string::npos) {
            const std::size_t at = buffer.find("Content-Length: ");
            if (at == std::string::npos || at > head_end) return -1;
            length = std::stoll(buffer.substr(at + 16));
        }
        if (head_end != std::string::npos && buffer.size() >= head_end + 4 + static_cast<std::size_t>(length))
            return length;
    }
}

// The status files of a primary master of a generated cluster, every host up.
void write_status(const std::filesystem::path& root, const ClusterTexts& texts, int compute) {
    const auto now = std::chrono::system_clock::now();
    NodeStatus status;
    status.written = now;
    std::vector<NodeDetail> details;
    for (const std::string& line : [&] {
             std::vector<std::string> names;
             std::istringstream in(texts.nodes);
             for (std::string l; std::getline(in, l);)
                 if (!l.empty() && l[0] != '#') {
                     std::istringstream f(l);
                     std::string id, ip, name;
                     f >> id >> ip >> name;
                     names.push_back(name);
                 }
             return names;
         }()) {
        status.nodes.push_back({line, true, now - 1h});
        NodeDetail d;
        d.name = line;
        d.up = true;
        d.since = now - 1h;
        d.last_heard = now;
        HeartbeatReport r;
        r.load_average = 0.5f;
        r.memory_free_bytes = 3ULL << 30;
        r.memory_total_bytes = 4ULL << 30;
        r.cpus = {CpuSample{0.25f, true}, CpuSample{0.5f, true}};
        r.disks = {DiskSample{50ULL << 30, 100ULL << 30}};
        d.last_report = r;
        details.push_back(std::move(d));
    }
    (void)compute;
    write_file_atomically(root / "node_status", format_node_status(status));
    write_file_atomically(root / "node_detail.json", format_node_detail(details, {}, {}, now, "master1", 1));
    JobDetail jobs;
    jobs.written = now;
    write_file_atomically(root / "job_detail.json", format_job_detail(jobs));
    JobStatus job_status;
    job_status.written = now;
    write_file_atomically(root / "job_status", format_job_status(job_status));
}

struct Figures {
    double requests_per_second = 0;
    std::string latency;  // wrk's "Latency avg stdev max", or the built-in generator's mean
};

Figures run_wrk(std::uint16_t port, int seconds) {
    const std::string command = "wrk -t2 -c32 -d" + std::to_string(seconds) + "s --latency http://" +
                                address + ":" + std::to_string(port) + "/api/nodes 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run wrk");
    std::string out;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
    ::pclose(pipe);
    std::cout << out;
    Figures f;
    std::smatch m;
    if (std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))")))
        f.requests_per_second = std::stod(m[1]);
    if (std::regex_search(out, m, std::regex(R"(Latency\s+(\S+)\s+(\S+)\s+(\S+))")))
        f.latency = "avg " + m[1].str() + ", stdev " + m[2].str() + ", max " + m[3].str();
    if (std::regex_search(out, m, std::regex(R"(99%\s+(\S+))"))) f.latency += ", p99 " + m[1].str();
    return f;
}

// Without wrk: 2 threads, 16 keep-alive connections each, one request at a time per connection.
Figures run_builtin(std::uint16_t port, int seconds) {
    std::atomic<long long> done{0};
    std::atomic<long long> total_ns{0};
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&] {
            std::vector<int> fds;
            for (int c = 0; c < 16; ++c) fds.push_back(connect_to(port));
            std::string buffer;
            while (std::chrono::steady_clock::now() < until && !stop_requested)
                for (int fd : fds) {
                    const auto start = std::chrono::steady_clock::now();
                    if (fd < 0 || get(fd, "/api/nodes", buffer) < 0) continue;
                    total_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
                    ++done;
                }
            for (int fd : fds) ::close(fd);
        });
    for (auto& t : threads) t.join();
    Figures f;
    f.requests_per_second = static_cast<double>(done) / seconds;
    char text[64];
    std::snprintf(text, sizeof text, "mean %.2f ms (sequential per connection)",
                  done ? static_cast<double>(total_ns) / static_cast<double>(done) / 1e6 : 0.0);
    f.latency = text;
    return f;
}

void benchmark(const Options& o) {
    ScratchDir scratch("bench-webstatus", o.keep);
    const std::filesystem::path root = scratch.path();
    ClusterShape shape;
    shape.compute = o.nodes;
    shape.masters = 1;
    shape.hubs = 2;
    const std::uint16_t port = free_tcp_port();
    shape.port = port;
    const ClusterTexts texts = generate_cluster(shape);
    write_cluster_config(root, texts);
    write_status(root, texts, o.nodes);

    ChildProcess web(
        {program("webstatus"), "--root", root.string(), "--listen", address + ":" + std::to_string(port)},
        root / "webstatus.log");
    int fd = -1;
    for (int i = 0; i < 200 && (fd = connect_to(port)) < 0; ++i) {
        check_stop();
        std::this_thread::sleep_for(25ms);
    }
    if (fd < 0) throw std::runtime_error("webstatus did not start; see " + (root / "webstatus.log").string());
    std::string buffer;
    long long page = 0;
    for (const char* target : {"/", "/style.css", "/common.js", "/map.js", "/app.js"})
        page += get(fd, target, buffer);
    const long long nodes_body = get(fd, "/api/nodes", buffer);
    ::close(fd);
    std::printf("status page: %s bytes (index.html, style.css and 3 scripts, uncompressed)\n",
                thousands(page).c_str());
    std::printf("/api/nodes for %d compute nodes: %s bytes\n", o.nodes, thousands(nodes_body).c_str());

    const bool have_wrk = std::system("command -v wrk >/dev/null 2>&1") == 0;
    if (!have_wrk)
        std::printf("wrk is not installed (share/install-deps --bench): using the built-in generator\n");
    std::vector<double> rates;
    for (int run = 0; run < o.runs; ++run) {
        // The status file rewritten before each run, as a master would every second.
        write_status(root, texts, o.nodes);
        const Figures f = have_wrk ? run_wrk(port, o.seconds) : run_builtin(port, o.seconds);
        check_stop();
        std::printf("run %d: %s requests/s, latency %s\n", run + 1, thousands(f.requests_per_second).c_str(),
                    f.latency.c_str());
        rates.push_back(f.requests_per_second);
    }
    std::printf("median: %s requests/s over %d runs\n", thousands(median(rates)).c_str(), o.runs);
    web.stop();
}

}  // namespace

int main(int argc, char** argv) {
    return run_benchmark("bench_webstatus", argc, argv, parse_options, benchmark);
}
