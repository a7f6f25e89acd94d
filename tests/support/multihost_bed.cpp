#include "tests/support/multihost_bed.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace lobos::test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string glusterd_program = "/usr/sbin/glusterd";
const std::string gluster_program = "/usr/sbin/gluster";
const std::string mount_helper = "/sbin/mount.glusterfs";

// The two networks. Their addresses exist only inside this bed's
// namespaces, which have no default route: nothing is sent off the machine.
constexpr int cluster_network = 1;
constexpr int storage_network = 2;
const std::string address_prefix = "10.231.";
const std::map<int, std::string> bridge_of = {{cluster_network, "lan"}, {storage_network, "san"}};

// The switch's namespace, which holds both bridges.
const std::string switch_namespace = "switch";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string joined(const std::vector<std::string>& argv) {
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    return line;
}

std::string shell_quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Beds whose test process died without tearing them down: their
// namespaces go with NetworkNamespaces' own clean-up (which kills every
// process in them); their directories go here.
void remove_directories_of_dead_beds() {
    std::error_code ec;
    const std::regex ours(R"(lobos-multihost-(\d+)-\d+)");
    for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
        std::smatch m;
        const std::string name = entry.path().filename().string();
        if (!std::regex_match(name, m, ours)) continue;
        const long pid = std::stol(m[1]);
        if (pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
        std::error_code ignored;
        fs::remove_all(entry.path(), ignored);
    }
}

// Waits, bounded, until `pid` has ended; a PID namespace's init ends only
// after every other process in the namespace has.
void wait_for_end(pid_t pid, std::chrono::milliseconds timeout) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) return;  // already gone
    pollfd p{pidfd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(timeout.count()));
    ::close(pidfd);
}

}  // namespace

std::optional<std::string> why_no_multihost_bed() {
    if (auto why = why_no_network_namespaces()) return why;
    for (const std::string& p : {glusterd_program, gluster_program, mount_helper,
                                 std::string("/usr/bin/nsenter"), std::string("/usr/bin/unshare")})
        if (::access(p.c_str(), X_OK) != 0)
            return p + " is not installed (share/install-deps --multihost installs GlusterFS)";
    if (::access("/dev/fuse", R_OK | W_OK) != 0) return "this machine has no FUSE (/dev/fuse)";
    return std::nullopt;
}

MultiHostBed::MultiHostBed(MultiHostSpec spec) : spec_(std::move(spec)), run_("multihost") {
    remove_directories_of_dead_beds();
    for (const std::string& h : spec_.hosts)
        if (h == storage_host || h == switch_namespace || h.size() > 11)
            throw std::runtime_error("the bed cannot have a host called " + h);
    for (const char* dir : {"local", "bricks", "hosts"}) fs::create_directories(run_.path() / dir);
    for (const std::string& v : spec_.volumes) {
        fs::create_directories(brick(v));
        fs::create_directories(mount_point(v));
    }
    wire();
    try {
        start_host(storage_host);
        start_storage();
        for (const std::string& h : spec_.hosts) {
            start_host(h);
            mount_volumes(h);
        }
    } catch (...) {
        // No destructor runs for an object whose constructor threw.
        for (auto& [name, host] : hosts_)
            if (host.init > 0) ::kill(host.init, SIGKILL);
        for (auto& [name, host] : hosts_) wait_for_end(host.init, 10s);
        throw;
    }
}

MultiHostBed::~MultiHostBed() {
    // Clients first, so that none waits on a storage host already gone; all at once, then wait.
    for (auto& [name, host] : hosts_)
        if (name != storage_host && host.init > 0) ::kill(host.init, SIGKILL);
    for (auto& [name, host] : hosts_)
        if (name != storage_host) wait_for_end(host.init, 10s);
    if (auto it = hosts_.find(storage_host); it != hosts_.end() && it->second.init > 0) {
        ::kill(it->second.init, SIGKILL);
        wait_for_end(it->second.init, 10s);
    }
}

std::string MultiHostBed::index_address(int network, const std::string& host) const {
    if (host == storage_host) return address_prefix + std::to_string(network) + ".1";
    const auto it = std::find(spec_.hosts.begin(), spec_.hosts.end(), host);
    if (it == spec_.hosts.end()) throw std::runtime_error("the bed has no host " + host);
    return address_prefix + std::to_string(network) + "." + std::to_string(10 + (it - spec_.hosts.begin()));
}

std::string MultiHostBed::cluster_address(const std::string& host) const {
    if (host == storage_host) throw std::runtime_error("the storage host is on the storage network only");
    return index_address(cluster_network, host);
}

std::string MultiHostBed::storage_address(const std::string& host) const {
    return index_address(storage_network, host);
}

void MultiHostBed::wire() {
    namespaces_.add(switch_namespace);
    for (const auto& [network, bridge] : bridge_of) {
        // Snooping off: the bridge floods multicast (pulse's hub traffic) to every port.
        namespaces_.ip_in(switch_namespace, {"link", "add", bridge, "type", "bridge", "mcast_snooping", "0",
                                             "forward_delay", "0"});
        namespaces_.ip_in(switch_namespace, {"link", "set", bridge, "up"});
    }
    std::vector<std::string> all = spec_.hosts;
    all.push_back(storage_host);
    for (const std::string& h : all) {
        namespaces_.add(h);
        for (const auto& [network, bridge] : bridge_of) {
            if (h == storage_host && network != storage_network) continue;
            // The host's end is named after the network, the switch's end HOST-NETWORK.
            const std::string port = h + "-" + bridge;
            namespaces_.ip({"link", "add", bridge, "netns", namespaces_.full_name(h), "type", "veth", "peer",
                            "name", port, "netns", namespaces_.full_name(switch_namespace)});
            namespaces_.ip_in(switch_namespace, {"link", "set", port, "master", bridge, "up"});
            namespaces_.ip_in(h, {"addr", "add", index_address(network, h) + "/24", "dev", bridge});
            namespaces_.ip_in(h, {"link", "set", bridge, "up"});
        }
    }
}

void MultiHostBed::start_host(const std::string& name) {
    const fs::path dir = run_.path() / "hosts" / name;
    const fs::path ready = dir / "ready";
    fs::create_directories(dir / "glusterfs-log");
    fs::create_directories(dir / "glusterd");
    fs::remove(ready);
    // pid 1 of the host: names the host, gives it a /run of its own (where
    // glusterd and the clients keep their sockets) and GlusterFS log and
    // state directories of its own, then only reaps orphans, as an init does.
    std::string script = "set -e\necho " + name + " >/proc/sys/kernel/hostname\n" +
                         "mount -t tmpfs -o mode=0755 tmpfs /run\nmkdir -p /run/gluster /run/lock\n" +
                         "mount --bind " + shell_quoted((dir / "glusterfs-log").string()) +
                         " /var/log/glusterfs\n";
    if (name == storage_host)
        script += "mount --bind " + shell_quoted((dir / "glusterd").string()) + " /var/lib/glusterd\n";
    script += ": >" + shell_quoted(ready.string()) +
              "\nset +e\ntrap '' TERM INT HUP\nwhile :; do sleep 3600 & wait $!; done\n";
    DirectoryWatch watch(dir);
    Host host;
    // The host dies with this process, even when it is killed outright: the
    // kernel kills unshare when its parent (this process) goes (--pdeathsig),
    // and unshare's child, the host's init, when unshare goes (--kill-child);
    // every process of the host goes with its init.
    host.unshare = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"/usr/bin/setpriv", "--pdeathsig", "KILL", "--", "/usr/bin/nsenter",
                                 "--net=/run/netns/" + namespaces_.full_name(name), "--", "/usr/bin/unshare",
                                 "--pid", "--fork", "--mount-proc", "--uts", "--propagation", "private",
                                 "--kill-child", "--", "/bin/bash", "-c", script},
        dir / "init.log");
    if (!watch.wait_until([&] { return fs::exists(ready) || !host.unshare->running(); }, 10s) ||
        !fs::exists(ready))
        throw std::runtime_error("host " + name + " did not start: " + slurp(dir / "init.log"));
    // unshare's only child is the host's init.
    const std::string self = std::to_string(host.unshare->pid());
    std::istringstream children(slurp("/proc/" + self + "/task/" + self + "/children"));
    children >> host.init;
    if (host.init <= 0) throw std::runtime_error("host " + name + " has no init process");
    hosts_[name] = std::move(host);
}

void MultiHostBed::start_storage() {
    const fs::path dir = run_.path() / "hosts" / storage_host;
    // In the foreground (-N): the test holds it as a process of its own and sees
    // it end; like every process of the host, it dies with the host.
    auto glusterd = enter(storage_host);
    glusterd.insert(glusterd.end(), {glusterd_program, "-N", "--log-level=WARNING"});
    storage_daemon_ = std::make_unique<DaemonProcess>(glusterd, dir / "glusterd.out");
    // glusterd says nothing when it is ready: its command line is tried until it answers (bounded).
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (int attempt = 0;; ++attempt) {
        ProcessResult r = run_on(storage_host, {gluster_program, "--mode=script", "pool", "list"});
        if (r.exit_code == 0) break;
        if (std::chrono::steady_clock::now() > deadline || !storage_daemon_->running() || attempt > 300)
            throw std::runtime_error("glusterd did not start: " + r.out + r.err +
                                     slurp(dir / "glusterd.out"));
        std::this_thread::sleep_for(100ms);
    }
    for (const std::string& v : spec_.volumes) {
        const std::string volume = "lobos-" + v;
        // force: the brick is on the root file system, which GlusterFS advises against.
        must_run_on(storage_host, {gluster_program, "--mode=script", "volume", "create", volume,
                                   storage_address(storage_host) + ":" + brick(v).string(), "force"});
        for (const auto& [option, value] : spec_.volume_options)
            must_run_on(storage_host,
                        {gluster_program, "--mode=script", "volume", "set", volume, option, value});
        must_run_on(storage_host, {gluster_program, "--mode=script", "volume", "start", volume});
    }
}

void MultiHostBed::mount_volumes(const std::string& host) {
    for (const std::string& v : spec_.volumes) {
        std::vector<std::string> argv = {"/bin/mount", "-t", "glusterfs"};
        if (!spec_.mount_options.empty()) argv.insert(argv.end(), {"-o", spec_.mount_options});
        argv.insert(argv.end(), {storage_address(storage_host) + ":/lobos-" + v, mount_point(v).string()});
        must_run_on(host, argv);
    }
}

std::vector<std::string> MultiHostBed::enter(const std::string& host, const std::string& directory) const {
    const auto it = hosts_.find(host);
    if (it == hosts_.end() || it->second.init <= 0)
        throw std::runtime_error("host " + host + " is not running");
    // Entering the mount namespace puts the program at that namespace's root.
    // nsenter's --wd would open the directory before entering (outside the
    // host, where the shared volumes are not mounted): env changes to it inside.
    std::vector<std::string> argv = {"/usr/bin/nsenter", "--target", std::to_string(it->second.init)};
    argv.insert(argv.end(), {"--net", "--mount", "--pid", "--uts", "--"});
    if (directory != "/") argv.insert(argv.end(), {"/usr/bin/env", "--chdir=" + directory});
    return argv;
}

ProcessResult MultiHostBed::run_on(const std::string& host, const std::vector<std::string>& argv,
                                   RunOptions options) const {
    std::vector<std::string> all = enter(host);
    all.insert(all.end(), argv.begin(), argv.end());
    return run_process(all, options);
}

std::string MultiHostBed::must_run_on(const std::string& host, const std::vector<std::string>& argv) const {
    ProcessResult r = run_on(host, argv);
    if (r.exit_code != 0)
        throw std::runtime_error("on " + host + ": " + joined(argv) + " failed (exit " +
                                 std::to_string(r.exit_code) + (r.timed_out ? ", timed out" : "") +
                                 "): " + r.out + r.err);
    return r.out;
}

std::optional<pid_t> MultiHostBed::inner_pid(const DaemonProcess& started) {
    // nsenter forks once to enter the PID namespace; its one child is the program.
    const std::string self = std::to_string(started.pid());
    std::istringstream children(slurp("/proc/" + self + "/task/" + self + "/children"));
    pid_t pid = -1;
    if (children >> pid) return pid;
    return std::nullopt;
}

void MultiHostBed::kill_host(const std::string& host) {
    Host& h = hosts_.at(host);
    if (h.init <= 0) return;
    ::kill(h.init, SIGKILL);
    wait_for_end(h.init, 10s);
    h.unshare->wait(10s);
    h.init = -1;
    if (host == storage_host) storage_daemon_.reset();
}

void MultiHostBed::restart_host(const std::string& host) {
    if (host_alive(host)) throw std::runtime_error("host " + host + " is still running");
    // Its bricks would need glusterd's state again; no test needs a storage host back yet.
    if (host == storage_host) throw std::runtime_error("the storage host cannot be restarted");
    start_host(host);
    mount_volumes(host);
}

bool MultiHostBed::host_alive(const std::string& host) const {
    const auto it = hosts_.find(host);
    return it != hosts_.end() && it->second.init > 0 && ::kill(it->second.init, 0) == 0;
}

void MultiHostBed::set_cluster_port_forwarding(const std::string& host, bool forwarding) {
    // Port states: 0 disabled, 3 forwarding; the bridge runs no STP.
    namespaces_.bridge({"-n", namespaces_.full_name(switch_namespace), "link", "set", "dev",
                        host + "-" + bridge_of.at(cluster_network), "state", forwarding ? "3" : "0"});
}

std::string MultiHostBed::logs() const {
    std::string out;
    for (const auto& [name, host] : hosts_) {
        const fs::path dir = run_.path() / "hosts" / name;
        out += "--- host " + name + " (init)\n" + slurp(dir / "init.log");
        std::error_code ec;
        for (const auto& e : fs::recursive_directory_iterator(dir / "glusterfs-log", ec))
            if (e.is_regular_file())
                out += "--- host " + name + ": " + e.path().filename().string() + "\n" + slurp(e.path());
    }
    return out;
}

}  // namespace lobos::test
