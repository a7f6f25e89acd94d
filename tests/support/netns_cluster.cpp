#include "tests/support/netns_cluster.hpp"

#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/config_loader.hpp"
#include "tests/support/child_process.hpp"

namespace lobos::test {
namespace {

// DaemonProcess and run_process start argv[0] as given, without a PATH search.
std::string tool(const std::string& name) {
    for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
        const std::string path = dir + name;
        if (::access(path.c_str(), X_OK) == 0) return path;
    }
    throw std::runtime_error(name + " (iproute2) is not installed: share/install-deps installs it");
}

// Runs the tool; its standard output. Throws with its error output when it fails.
std::string run(const std::string& name, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {tool(name)};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions options;
    options.deadline = std::chrono::milliseconds(10'000);
    ProcessResult r = run_process(argv, options);
    if (r.exit_code == 0) return r.out;
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    throw std::runtime_error(line + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
}

const std::string netns_dir = "/run/netns";
// A network interface's name is at most 15 characters (IFNAMSIZ less the terminating zero).
constexpr std::size_t max_interface_name = 15;

std::string interface_name(const std::string& name) {
    if (name.size() > max_interface_name)
        throw std::runtime_error("interface name " + name +
                                 " is longer than 15 characters: use shorter host names");
    return name;
}

std::uint32_t address_value(const std::string& dotted) {
    in_addr a{};
    if (::inet_pton(AF_INET, dotted.c_str(), &a) != 1) throw std::runtime_error("not an address: " + dotted);
    return ntohl(a.s_addr);
}

bool same_subnet(const std::string& a, const std::string& b, int prefix) {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (address_value(a) & mask) == (address_value(b) & mask);
}

std::string cidr(const std::string& address, int prefix) { return address + "/" + std::to_string(prefix); }

std::atomic<int> sets_made{0};

// The switch's namespace, which holds the hubs' bridges; no host may have this name.
const std::string switch_namespace = "sw";

}  // namespace

std::optional<std::string> why_no_network_namespaces() {
    if (::geteuid() != 0)
        return "making network namespaces, veth pairs and bridges needs root (this test runs as uid " +
               std::to_string(::geteuid()) + ")";
    return std::nullopt;
}

NetworkNamespaces::NetworkNamespaces() {
    prefix_ = "lobos-" + std::to_string(::getpid()) + "-" + std::to_string(sets_made++) + "-";
    // A test process killed outright (SIGKILL, a ctest timeout) cannot delete
    // its namespaces: whoever comes next removes those of dead processes.
    std::error_code ec;
    const std::regex ours(R"(lobos-(\d+)-\d+-.*)");
    for (const auto& entry : std::filesystem::directory_iterator(netns_dir, ec)) {
        std::smatch m;
        const std::string name = entry.path().filename().string();
        if (!std::regex_match(name, m, ours)) continue;
        const long pid = std::stol(m[1]);
        if (pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
        try {
            // Its daemons outlived their test too; nothing else runs in a namespace of ours.
            std::istringstream pids(run("ip", {"netns", "pids", name}));
            for (pid_t p; pids >> p;) ::kill(p, SIGKILL);
            run("ip", {"netns", "del", name});
        } catch (const std::exception& e) {
            std::cerr << "netns: cannot delete the leftover namespace " << name << ": " << e.what() << "\n";
        }
    }
}

NetworkNamespaces::~NetworkNamespaces() {
    // Deleting a namespace destroys its interfaces, and a veth pair dies with either end.
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
        try {
            run("ip", {"netns", "del", *it});
        } catch (const std::exception& e) {
            std::cerr << "netns: " << e.what() << "\n";
        }
    }
}

std::string NetworkNamespaces::add(const std::string& name) {
    const std::string full = full_name(name);
    run("ip", {"netns", "add", full});
    made_.push_back(full);
    ip_in(name, {"link", "set", "lo", "up"});
    return full;
}

void NetworkNamespaces::ip(const std::vector<std::string>& args) const { run("ip", args); }

void NetworkNamespaces::bridge(const std::vector<std::string>& args) const { run("bridge", args); }

void NetworkNamespaces::ip_in(const std::string& name, const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"-n", full_name(name)};
    all.insert(all.end(), args.begin(), args.end());
    run("ip", all);
}

std::vector<std::string> NetworkNamespaces::exec_in(const std::string& name) const {
    // `ip netns exec` enters the namespace and then execs the program: the
    // process the test starts, signals and kills is the program itself.
    return {tool("ip"), "netns", "exec", full_name(name)};
}

NetnsCluster::NetnsCluster(const std::string& purpose, const std::filesystem::path& source_config,
                           NetnsSubnets subnets)
    : cluster_(purpose, source_config) {
    ConfigLoad load = read_cluster_config(cluster_.config_dir());
    if (!load.ok()) throw std::runtime_error("the netns cluster's configuration is not usable");
    config_ = std::move(load.config);
    wire(subnets);
    cluster_.set_launcher([this](const std::string& host) { return namespaces_.exec_in(host); });
}

void NetnsCluster::wire(NetnsSubnets subnets) {
    namespaces_.add(switch_namespace);
    for (const Node& n : config_.nodes) {
        if (n.is_hub()) {
            // Snooping off: the bridge floods multicast to every port, as the
            // hubs of LoBoS did, instead of waiting for IGMP reports.
            namespaces_.ip_in(switch_namespace, {"link", "add", interface_name(n.name), "type", "bridge",
                                                 "mcast_snooping", "0", "forward_delay", "0"});
            namespaces_.ip_in(switch_namespace, {"link", "set", n.name, "up"});
        } else {
            if (n.name == switch_namespace) throw std::runtime_error("a host may not be called " + n.name);
            namespaces_.add(n.name);
        }
    }

    // Every subnet each host is on, and its address on each hub, for the routes below.
    std::map<std::string, std::vector<std::pair<std::string, int>>> subnets_of;  // host -> (address, prefix)
    std::map<std::string, std::map<std::string, std::string>> hub_address_of;    // host -> hub -> address
    std::set<std::pair<std::string, std::string>> direct;                        // both orders
    for (const Link& l : config_.links) {
        if (l.kind == LinkKind::hub) {
            // The hub is always name2; the host's end of the link is named
            // after the hub in the host's namespace, and HOST-HUB in the switch's.
            const std::string port = interface_name(l.name1 + "-" + l.name2);
            namespaces_.ip({"link", "add", interface_name(l.name2), "netns", namespaces_.full_name(l.name1),
                            "type", "veth", "peer", "name", port, "netns",
                            namespaces_.full_name(switch_namespace)});
            namespaces_.ip_in(switch_namespace, {"link", "set", port, "master", l.name2, "up"});
            namespaces_.ip_in(l.name1, {"addr", "add", cidr(l.ip1, subnets.hub), "dev", l.name2});
            namespaces_.ip_in(l.name1, {"link", "set", l.name2, "up"});
            subnets_of[l.name1].emplace_back(l.ip1, subnets.hub);
            hub_address_of[l.name1][l.name2] = l.ip1;
        } else if (l.kind == LinkKind::direct) {
            // Each end is named after the far host.
            namespaces_.ip({"link", "add", interface_name(l.name2), "netns", namespaces_.full_name(l.name1),
                            "type", "veth", "peer", "name", interface_name(l.name1), "netns",
                            namespaces_.full_name(l.name2)});
            namespaces_.ip_in(l.name1, {"addr", "add", cidr(l.ip1, subnets.direct), "dev", l.name2});
            namespaces_.ip_in(l.name2, {"addr", "add", cidr(l.ip2, subnets.direct), "dev", l.name1});
            namespaces_.ip_in(l.name1, {"link", "set", l.name2, "up"});
            namespaces_.ip_in(l.name2, {"link", "set", l.name1, "up"});
            subnets_of[l.name1].emplace_back(l.ip1, subnets.direct);
            subnets_of[l.name2].emplace_back(l.ip2, subnets.direct);
            direct.insert({l.name1, l.name2});
            direct.insert({l.name2, l.name1});
        }
        // A master-master link has no wire of its own: masters send to each
        // other's config/nodes address, which the routes below reach.
    }

    for (const Node& n : config_.nodes) {
        if (n.is_hub()) continue;
        bool own = false;
        for (const auto& [address, prefix] : subnets_of[n.name]) own = own || address == n.ip;
        if (!own) namespaces_.ip_in(n.name, {"addr", "add", n.ip + "/32", "dev", "lo"});
    }

    // Multicast needs no route: pulse names the interface of every hub
    // socket (IP_MULTICAST_IF by its address on the hub, and the group is
    // joined on that address), so a master on two hubs sends and hears each
    // hub's group on the right interface, and the kernel takes a group
    // address with no route as on the link of the named interface.
    //
    // Reports (and master-master heartbeats) go to a master's config/nodes
    // address unless a direct link joins the two hosts. A host not on that
    // address's subnet reaches it through a hub both are on: a host route via
    // the master's own address on that hub (a Linux host takes datagrams for
    // any of its addresses on any interface; masters do not forward).
    for (const Node& h : config_.nodes) {
        if (h.is_hub()) continue;
        for (const Node* m : config_.masters_by_rank()) {
            if (m->id == h.id || direct.contains({h.name, m->name})) continue;
            bool on_link = false;
            for (const auto& [address, prefix] : subnets_of[h.name])
                on_link = on_link || same_subnet(address, m->ip, prefix);
            if (on_link) continue;
            std::optional<std::pair<std::string, std::string>> via;  // hub, master's address on it
            for (const auto& [hub, address] : hub_address_of[h.name])
                if (auto it = hub_address_of[m->name].find(hub); it != hub_address_of[m->name].end() && !via)
                    via = {{hub, it->second}};
            if (!via)
                throw std::runtime_error(h.name + " shares no hub with " + m->name +
                                         ": the netns cluster cannot route its reports");
            namespaces_.ip_in(h.name, {"route", "add", m->ip + "/32", "via", via->second, "dev", via->first});
        }
    }
}

void NetnsCluster::set_direct_link_up(const std::string& host, const std::string& far, bool up) {
    namespaces_.ip_in(host, {"link", "set", far, up ? "up" : "down"});
}

void NetnsCluster::set_hub_port_forwarding(const std::string& host, const std::string& hub, bool forwarding) {
    // Port states: 0 disabled, 3 forwarding. The bridge runs no STP, so the
    // kernel lets the state be set by hand.
    namespaces_.bridge({"-n", namespaces_.full_name(switch_namespace), "link", "set", "dev", host + "-" + hub,
                        "state", forwarding ? "3" : "0"});
}

}  // namespace lobos::test
