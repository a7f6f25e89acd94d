#include "tests/support/test_cluster.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "config/config_loader.hpp"
#include "share/io/atomic_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace lobos::test {
namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::atomic<int> clusters{0};

}  // namespace

TestCluster::TestCluster(const std::string& purpose, std::optional<std::filesystem::path> source_config)
    : scratch_(purpose), root_(scratch_.path()), watch_(root_) {
    const int n = clusters++;
    const int pid = static_cast<int>(::getpid());
    // Addresses and a port of this cluster's own, so that two clusters (two
    // tests, two test runs, or a test and the demo) on one machine never hear
    // each other: the port is one the kernel says is free, the addresses differ
    // by process and cluster (and would a second run's match, its port does not).
    const std::string prefix =
        "127." + std::to_string(10 + pid % 200) + "." + std::to_string(1 + n % 250) + ".";
    port_ = free_udp_and_tcp_port();

    const std::filesystem::path source = source_config.value_or(source_path("config/examples/demo"));
    std::filesystem::create_directories(config_dir());
    for (const char* file : {"nodes", "topology"}) {
        std::string text = std::regex_replace(slurp(source / file), std::regex(R"(127\.0\.76\.)"), prefix);
        write_file_atomically(config_dir() / file, text);
    }
    std::string conf = slurp(source / "pulse.conf");
    conf = std::regex_replace(conf, std::regex(R"((^|\n)\s*(PulsePort|WebPort)[^\n]*)"), "$1");
    conf += "PulsePort " + std::to_string(port_) + "\nWebPort " + std::to_string(port_) + "\n";
    write_file_atomically(config_dir() / "pulse.conf", conf);

    ProcessResult key = run_process({program("pulse"), "--keygen", "--root", root_.string()});
    if (key.exit_code != 0) throw std::runtime_error("pulse --keygen failed: " + key.err);

    ConfigLoad load = read_cluster_config(config_dir());
    if (!load.ok()) throw std::runtime_error("test cluster configuration is not usable");
    for (const Node& node : load.config.nodes)
        if (!node.is_hub()) addresses_[node.name] = node.ip;
    for (const Node& node : load.config.nodes) {
        if (node.is_master()) masters_.push_back(node.name);
        if (node.is_compute()) compute_nodes_.push_back(node.name);
    }
    std::filesystem::create_directories(root_ / "log");
}

std::vector<std::string> TestCluster::hosts() const {
    std::vector<std::string> out;
    for (const auto& [name, ip] : addresses_) out.push_back(name);
    return out;
}

std::string TestCluster::address(const std::string& host) const { return addresses_.at(host); }

void TestCluster::set_launcher(std::function<std::vector<std::string>(const std::string& host)> launcher) {
    launcher_ = std::move(launcher);
}

void TestCluster::start(const std::string& host, const std::vector<std::string>& extra_args) {
    std::vector<std::string> argv = launcher_ ? launcher_(host) : std::vector<std::string>{};
    argv.insert(argv.end(), {program("pulse"), "--node", host, "--root", root_.string()});
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    daemons_[host] = std::make_unique<DaemonProcess>(argv, root_ / "log" / (host + ".log"));
}

void TestCluster::start_all(const std::vector<std::string>& extra_args) {
    for (const auto& [name, ip] : addresses_) start(name, extra_args);
}

void TestCluster::start_queue_daemon(const std::string& master) {
    daemons_["lobosqd " + master] = std::make_unique<DaemonProcess>(
        std::vector<std::string>{program("lobosqd"), "--node", master, "--root", root_.string()},
        root_ / "log" / ("lobosqd." + master + ".log"));
}

void TestCluster::start_runner(const std::string& node) {
    daemons_["runner " + node] = std::make_unique<DaemonProcess>(
        std::vector<std::string>{program("lobos-runner"), "--node", node, "--root", root_.string()},
        root_ / "log" / ("lobos-runner." + node + ".log"));
}

void TestCluster::start_everything() {
    start_all();
    for (const std::string& m : masters_) start_queue_daemon(m);
    for (const std::string& n : compute_nodes_) start_runner(n);
}

std::string TestCluster::job_log() const { return read_file_if_exists(root_ / "job.log").value_or(""); }

DaemonProcess& TestCluster::daemon(const std::string& host) { return *daemons_.at(host); }

void TestCluster::kill(const std::string& host, int sig) { daemons_.at(host)->signal(sig); }

void TestCluster::forget(const std::string& host) { daemons_.erase(host); }

std::optional<NodeStatus> TestCluster::node_status() const {
    auto text = read_file_if_exists(root_ / "node_status");
    if (!text) return std::nullopt;
    return parse_node_status(*text, std::chrono::system_clock::now()).status;
}

std::optional<bool> TestCluster::state(const std::string& subject) const {
    auto status = node_status();
    if (!status) return std::nullopt;
    for (const NodeState& n : status->nodes)
        if (n.name == subject) return n.up;
    for (const LinkState& l : status->links)
        if ("link " + l.name1 + " " + l.name2 == subject) return l.up;
    return std::nullopt;
}

bool TestCluster::everything_up() const {
    auto status = node_status();
    return status && lobos::everything_up(*status);
}

std::string TestCluster::node_log() const { return read_file_if_exists(root_ / "node.log").value_or(""); }

std::string TestCluster::logs() const {
    std::string out;
    for (const auto& [name, d] : daemons_) out += "--- " + name + "\n" + slurp(d->log());
    out += "--- node_status\n" + read_file_if_exists(root_ / "node_status").value_or("(none)\n");
    out += "--- node.log\n" + node_log();
    out += "--- job_status\n" + read_file_if_exists(root_ / "job_status").value_or("(none)\n");
    out += "--- job.log\n" + job_log();
    out += "--- master.lease\n" + read_file_if_exists(root_ / "master.lease").value_or("(none)\n");
    // Who holds the lease lock, if anyone: a frozen holder blocks takeover.
    out += "--- pids:";
    for (const auto& [name, d] : daemons_) out += " " + name + "=" + std::to_string(d->pid());
    out += "\n";
    out += "--- /proc/locks\n" + read_file_if_exists("/proc/locks").value_or("");
    return out;
}

}  // namespace lobos::test
