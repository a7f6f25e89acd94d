#pragma once
// What a master makes of the heartbeats it receives: which nodes and links
// are up, since when, and why each one changed. Pure: datagrams and the time
// come in as arguments, changes and the next deadline come out; the daemon
// owns the sockets, the timer and the files.
//
// A node is up while it has been heard within NodeTimeOut, by this master
// directly or by any neighbour that reports it (a node whose hub link died
// but whose ring neighbour still hears it stays up). A link is up while both
// of its ends have been heard over it within LinkTimeOut: for a direct link,
// each end by the other; for a hub link, the node by someone on the hub and
// someone on the hub by the node. A hub is up while any link to it is up.
// Deadlines are kept in time order and expire exactly when due; nothing is
// swept periodically.
//
// A master declares nothing down that it has not itself timed out: until it
// has listened for NodeTimeOut (LinkTimeOut for links) no deadline falls
// before that moment, and a master taking over adopts what node_status shows
// for every node and link it has not heard since it started listening. It
// starts listening when it starts, and again when it heard no other host (it
// was cut off) or was stalled: silence in such a time is no evidence.

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/cluster_config.hpp"
#include "share/formats/heartbeat.hpp"
#include "share/formats/node_detail.hpp"
#include "share/formats/node_status.hpp"

namespace lobos {

using MonoTime = std::chrono::steady_clock::time_point;

// One moment on both clocks: the monotonic one decides timeouts, the wall
// clock is what status files and logs show.
struct Instant {
    MonoTime mono{};
    WallTime wall{};
};

struct HealthChange {
    enum class Kind { node, link };
    Kind kind = Kind::node;
    int index = 0;  // into ClusterConfig::nodes or ClusterConfig::links
    bool up = false;
    WallTime at{};
    std::string subject;  // "n05", or "link n04 n05"
    std::string reason;   // the whole log text: "n05 down: not heard for 2.0 s (NodeTimeOut 2)"
};

class ClusterHealth {
public:
    ClusterHealth(const ClusterConfig& config, Instant start);

    // A datagram that passed admission reached this master (`receiver`) at `now`.
    void on_datagram(const HeartbeatReport& report, NodeId receiver, Instant now);
    // The same, keeping `report` itself as the sender's newest (no copy):
    // reports are shared, never changed, so a snapshot of them can be
    // formatted on another thread while new ones arrive.
    void on_datagram(std::shared_ptr<const HeartbeatReport> report, NodeId receiver, Instant now);

    // Expires every deadline due by `now` and returns all changes since the
    // last call, in the order they happened.
    std::vector<HealthChange> advance(Instant now);

    // This master could not listen for `stalled` (it was stopped or starved):
    // silence in that time is no evidence, so every deadline moves on by it.
    void suspend(std::chrono::steady_clock::duration stalled);

    // This master heard no other host (it was cut off, or has just started):
    // it listens again as if it had just started, from the first datagram
    // of another host after `now` (from `now` until then).
    void restart_listening(Instant now);
    // Since when this master has listened without a gap (moved on by stalls).
    Instant listening_since() const { return listening_; }
    // Whether it has listened for NodeTimeOut and LinkTimeOut, so that
    // every state it holds is its own.
    bool heard_long_enough(Instant now) const;

    // A master taking over: every node and link it has not heard since it
    // started listening keeps the state and time `shown` gives it (the
    // previous primary's node_status), without a change to log, while it has
    // listened for less than NodeTimeOut (LinkTimeOut); one shown up goes
    // down only when that much listening has passed without hearing it.
    void adopt_shown(const NodeStatus& shown, Instant now);

    // When advance() next has something to do; nullopt when nothing is up.
    // Never later than the next deadline that expires, which is exact; it may
    // be earlier (a deadline that has since moved on), but then by at least
    // requeue_lookahead after the last advance().
    std::optional<MonoTime> next_deadline() const;

    // advance() moves on, in one go, every deadline that has moved on and
    // whose old time is within this of now, so that a master hearing
    // thousands of hosts wakes for that at most about every this long.
    static constexpr auto requeue_lookahead = std::chrono::milliseconds(100);

    bool node_up(NodeId id) const;
    // When the node was last heard by anyone (monotonic clock); nullopt if never.
    std::optional<MonoTime> last_heard(NodeId id) const;

    NodeStatus status(WallTime written) const;
    std::vector<NodeDetail> details() const;
    // The same, sharing each newest report rather than copying it: cheap
    // enough for the I/O thread at 10,000 nodes. Names point into the configuration.
    std::vector<SharedNodeDetail> shared_details() const;
    // The most recent change of every node and link that has changed, for a
    // master taking over to log what the previous primary did not.
    std::vector<HealthChange> latest_changes() const;

private:
    struct Heard {
        MonoTime mono{};
        WallTime wall{};
    };
    struct NodeEntry {
        bool up = false;
        WallTime since{};
        std::optional<Heard> heard;
        std::shared_ptr<const HeartbeatReport> last_report;
        std::optional<MonoTime> deadline;  // when it goes down unless heard again
        std::optional<MonoTime> queued;    // its place in deadlines_: never later than `deadline`
        std::optional<MonoTime> down_at;   // news from before this moment cannot bring it back up
        std::optional<HealthChange> last_change;
    };
    struct LinkEntry {
        bool up = false;
        WallTime since{};
        std::optional<Heard> end_heard[2];  // [0]: name1's end heard over the link, [1]: name2's
        std::optional<MonoTime> deadline;
        std::optional<MonoTime> queued;
        std::optional<MonoTime> down_at;
        std::optional<HealthChange> last_change;
    };
    enum class DeadlineKind { node, link };
    using DeadlineKey = std::pair<MonoTime, std::pair<DeadlineKind, int>>;

    int node_index(NodeId id) const;
    int name_index(const std::string& name) const;
    // How a node was heard, for the message when that brings it up (built only then).
    struct HowHeard {
        int reporter = -1;                 // -1: heard directly
        const std::string* hub = nullptr;  // the hub it was reported on, if any
    };
    void hear_node(int node, Heard at, HowHeard how, Instant now);
    void hear_link_end(int link, int end, Heard at, Instant now);
    void set_deadline(std::optional<MonoTime>& deadline, std::optional<MonoTime>& queued, MonoTime when,
                      DeadlineKind kind, int index);
    void change_node(int node, bool up, WallTime at, std::string reason);
    void change_link(int link, bool up, WallTime at, std::string reason);
    void update_hub(int hub, WallTime at, const std::string& because);
    void apply_link_heard(const LinkHeard& entry, int reporter, Instant now);
    static Heard at_age(Instant now, std::uint32_t age_ms);
    // The earliest a deadline may fall: once this master has listened for `timeout`.
    MonoTime after_listening(Seconds timeout) const;

    const ClusterConfig& config_;
    Instant listening_;                 // since when this master has listened (see listening_since)
    bool restart_on_datagram_ = false;  // listening_ moves to the next datagram of another host
    std::vector<NodeEntry> nodes_;
    std::vector<LinkEntry> links_;
    // Small ids (the usual numbering) are found in a table, others by hashing.
    std::vector<int> index_of_small_id_;  // -1 for no host
    std::unordered_map<NodeId, int> index_of_id_;
    std::unordered_map<std::string, int> index_of_name_;
    std::vector<std::array<int, 2>> link_ends_;    // node indices of each link's name1 and name2
    std::vector<std::vector<int>> links_of_node_;  // link indices touching each node
    std::set<DeadlineKey> deadlines_;
    std::vector<HealthChange> pending_;
};

}  // namespace lobos
