#pragma once
// The small ring cluster of the network-namespace tests: four compute
// nodes of two CPUs, two masters, two hubs, with fast timers.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace lobos::test {

// The ring of four compute nodes n1..n4, n1 and n3 on hub1, n2 and n4 on
// hub2, and two masters on both hubs: the demo cluster, smaller. Each hub is
// a subnet 10.231.H.0/24 (a host's number is the last octet), each direct
// link a subnet 10.232.L.0/30; a host's address in config/nodes is its
// address on its first hub. These addresses exist only inside the test's
// namespaces. PulsePort is TestCluster's to choose.
inline constexpr const char* ring_nodes =
    R"(#id ip           name    type CPUs CPUtype clock speed RAM swap links lx  ly  px  py
1   10.231.1.1   n1      0    2    1       2400  1.0   4096 1024 3    0.3 0.7 0.3 0.3
2   10.231.2.2   n2      0    2    1       2400  1.0   4096 1024 3    0.3 0.3 0.3 0.7
3   10.231.1.3   n3      0    2    1       2400  1.0   4096 1024 3    0.7 0.3 0.7 0.7
4   10.231.2.4   n4      0    2    1       2400  1.0   4096 1024 3    0.7 0.7 0.7 0.3
101 10.231.1.101 master1 1    2    1       2400  1.0   4096 1024 2    0.4 0.1 0.4 0.1
102 10.231.1.102 master2 2    2    1       2400  1.0   4096 1024 2    0.6 0.1 0.6 0.1
201 999.999.999.999 hub1 0    0    1       0     0.0   0    0    0    0.4 0.5 0.3 0.2
202 999.999.999.999 hub2 0    0    1       0     0.0   0    0    0    0.6 0.5 0.7 0.2
)";
inline constexpr const char* ring_topology = R"(# name1 name2 IP1 IP2
master1 hub1 10.231.1.101 999.999.999.999
master1 hub2 10.231.2.101 999.999.999.999
master2 hub1 10.231.1.102 999.999.999.999
master2 hub2 10.231.2.102 999.999.999.999
n1 n2 10.232.1.1 10.232.1.2
n2 n3 10.232.2.1 10.232.2.2
n3 n4 10.232.3.1 10.232.3.2
n4 n1 10.232.4.1 10.232.4.2
n1 hub1 10.231.1.1 999.999.999.999
n2 hub2 10.231.2.2 999.999.999.999
n3 hub1 10.231.1.3 999.999.999.999
n4 hub2 10.231.2.4 999.999.999.999
)";
// Fast timers: a silent link shows within 1.5 s, six heartbeats, so that
// the jitter of a busy machine is far from a false alarm.
inline constexpr const char* ring_pulse_conf = R"(HeartBeat     0.25
NodeTimeOut   1.5
LinkTimeOut   1.5
MasterTimeOut 1.5
)";
inline constexpr std::chrono::milliseconds ring_heartbeat{250};
inline constexpr std::chrono::milliseconds ring_node_timeout{1500};
inline constexpr std::chrono::milliseconds ring_link_timeout{1500};
inline constexpr std::chrono::milliseconds ring_master_timeout{1500};
// Writes nodes, topology and pulse.conf (with `more_pulse_conf` lines after the timers) to `dir`.
inline void write_ring_config(const std::filesystem::path& dir, const std::string& more_pulse_conf = "") {
    std::ofstream(dir / "nodes") << ring_nodes;
    std::ofstream(dir / "topology") << ring_topology;
    std::ofstream(dir / "pulse.conf") << ring_pulse_conf << more_pulse_conf;
}

}  // namespace lobos::test
