#pragma once
// A LoBoS cluster of real pulse daemons whose links are real network links,
// so that a test can cut one: every host runs in a network namespace of its
// own, each direct link is a veth pair between two hosts, and each hub is a
// bridge in one more namespace (the switch), which every host on that hub
// joins with a veth pair. Needs root; nothing outside the namespaces made
// here is touched, and they are deleted when the object goes.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/test_cluster.hpp"

namespace lobos::test {

// Why this process cannot make network namespaces (not root), or nullopt when it can.
std::optional<std::string> why_no_network_namespaces();

// Network namespaces named `lobos-PID-N-NAME`, deleted (`ip netns del`) when
// the object goes, even when the test fails. Namespaces left by a test
// process that died before it could delete them are deleted on construction.
class NetworkNamespaces {
public:
    NetworkNamespaces();
    ~NetworkNamespaces();
    NetworkNamespaces(const NetworkNamespaces&) = delete;
    NetworkNamespaces& operator=(const NetworkNamespaces&) = delete;

    // Makes namespace `name` with its loopback up; returns its full name.
    std::string add(const std::string& name);
    std::string full_name(const std::string& name) const { return prefix_ + name; }

    // Runs `ip ARGS` / `bridge ARGS`; throws with the command's error output when it fails.
    void ip(const std::vector<std::string>& args) const;
    void bridge(const std::vector<std::string>& args) const;
    // `ip -n NS ARGS` in namespace `name`.
    void ip_in(const std::string& name, const std::vector<std::string>& args) const;
    // The command prefix that runs a program inside namespace `name`.
    std::vector<std::string> exec_in(const std::string& name) const;

private:
    std::string prefix_;
    std::vector<std::string> made_;  // full names
};

// Prefix lengths of the subnets: one per hub, one per direct link.
struct NetnsSubnets {
    int hub = 24;
    int direct = 30;
};

class NetnsCluster {
public:
    // `source_config`: nodes, topology and pulse.conf whose addresses are
    // the hosts' addresses inside the namespaces (any addresses: no one
    // outside sees them). A host's address in config/nodes should be its
    // address on one of its links; if not, it is put on its loopback.
    NetnsCluster(const std::string& purpose, const std::filesystem::path& source_config,
                 NetnsSubnets subnets = {});

    TestCluster& cluster() { return cluster_; }
    const ClusterConfig& config() const { return config_; }
    const NetworkNamespaces& namespaces() const { return namespaces_; }

    // Downs (or ups again) `host`'s end of its direct link to `far`: no frame
    // crosses the link either way, and the kernel knows it.
    void set_direct_link_up(const std::string& host, const std::string& far, bool up);
    // Disables (or makes forwarding again) the switch port of `host`'s link to
    // `hub`, as a dead port of a real switch: the host's own interface stays
    // up and it goes on sending, but nothing reaches the hub or comes back.
    void set_hub_port_forwarding(const std::string& host, const std::string& hub, bool forwarding);

private:
    void wire(NetnsSubnets subnets);

    // Declared in this order so that the daemons die first, then the namespaces go.
    NetworkNamespaces namespaces_;
    TestCluster cluster_;
    ClusterConfig config_;
};

}  // namespace lobos::test
