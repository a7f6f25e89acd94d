#pragma once
// The heartbeat daemon of one host: the owner of the io_context, the
// sockets, the timers and the signal set. Every HeartBeat seconds it sends
// its report to every master, over each direct link and to each hub's
// multicast group; it admits what it receives (tag, sender address,
// sequence) and, on a master, hands it to the MasterRole, which keeps node
// and link health and, while primary, writes the status files.

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "pulse/daemon/heartbeat_key_file.hpp"
#include "pulse/daemon/master_role.hpp"
#include "pulse/daemon/node_metrics.hpp"
#include "pulse/daemon/receive_batch.hpp"
#include "pulse/health/cluster_health.hpp"
#include "pulse/health/peer_hearing.hpp"
#include "pulse/heartbeat/datagram_admission.hpp"
#include "share/io/asio.hpp"
#include "share/io/cluster_root.hpp"
#include "share/io/daemon_log.hpp"

namespace lobos {

class PulseDaemon {
public:
    // Binds every socket; throws std::runtime_error naming the address when one cannot be bound.
    // `audit_file`: where to append a line per status write (writer, epoch,
    // start and end in ns), for checking that writes never overlap.
    PulseDaemon(const ClusterConfig& config, const ClusterPaths& paths, NodeId self, HeartbeatKey key,
                std::optional<std::filesystem::path> audit_file = std::nullopt);
    ~PulseDaemon();

    // Runs until SIGINT or SIGTERM.
    void run();
    DaemonLog& log() { return log_; }

private:
    struct Receiver {
        asio::ip::udp::socket socket;
        asio::steady_timer pause;  // while busy: read again after a pause rather than at each datagram
        explicit Receiver(asio::io_context& io) : socket(io), pause(io) {}
    };
    struct Destination {
        asio::ip::udp::socket* socket;
        asio::ip::udp::endpoint to;
        std::uint32_t channel;
    };

    void open_sockets();
    asio::ip::udp::socket& unicast_socket(const std::string& address);
    void do_receive(Receiver& r);
    void pause_receive(Receiver& r);
    // Reads what is waiting; returns how many datagrams were read.
    int drain(Receiver& r);
    // True when the datagram was admitted.
    bool on_datagram(std::span<const std::uint8_t> datagram, const sockaddr_in& from, Instant t);
    void count_drop(DropReason reason, const sockaddr_in& from);

    void do_heartbeat();
    void send_heartbeat(Instant now);
    Instant now() const;
    void drain_all();

    const ClusterConfig& config_;
    ClusterPaths paths_;
    const Node& self_;
    HeartbeatKey key_;
    DaemonLog log_;
    DatagramAdmission admission_;
    PeerHearing hearing_;
    NodeMetrics metrics_;
    std::uint64_t sequence_ = 0;
    Instant started_;

    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer heartbeat_timer_;
    MonoTime next_beat_{};
    std::map<std::string, std::unique_ptr<Receiver>> unicast_;  // by local address
    std::vector<std::unique_ptr<Receiver>> multicast_;          // one per hub this host is on
    std::vector<Destination> destinations_;
    ReceiveBatch batch_;  // shared by every receiver: they are read one at a time

    std::map<std::string, std::uint64_t> dropped_;
    std::map<std::string, std::chrono::steady_clock::time_point> last_drop_log_;
    std::map<std::string, std::uint64_t> drops_since_log_;

    std::unique_ptr<MasterRole> master_;  // on a master only
};

}  // namespace lobos
