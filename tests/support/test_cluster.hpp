#pragma once
// A LoBoS cluster of real pulse daemons on this machine for a test: the demo
// configuration copied into a scratch cluster root, moved to loopback
// addresses and ports of its own (so clusters of tests never hear each
// other), with a fresh key. Hosts are started and stopped by name.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "share/formats/node_status.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/scratch_dir.hpp"

namespace lobos::test {

class TestCluster {
public:
    // `source_config`: the configuration to copy (default: config/examples/demo).
    explicit TestCluster(const std::string& purpose, std::optional<std::filesystem::path> source_config = {});

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path config_dir() const { return root_ / "config"; }
    std::vector<std::string> hosts() const;  // every non-hub host of the nodes file
    std::string address(const std::string& host) const;
    std::uint16_t pulse_port() const { return port_; }

    // Every daemon started from now on runs under `launcher(host)`, a command that ends by
    // running the rest of the line (`ip netns exec NS`: the host in its own network namespace).
    void set_launcher(std::function<std::vector<std::string>(const std::string& host)> launcher);
    void start(const std::string& host, const std::vector<std::string>& extra_args = {});
    void start_all(const std::vector<std::string>& extra_args = {});
    // The queue: lobosqd on a master (named "lobosqd MASTER" for daemon(),
    // kill() and forget()), lobos-runner on a compute node ("runner NODE").
    void start_queue_daemon(const std::string& master);
    void start_runner(const std::string& node);
    // pulse everywhere, lobosqd on every master, a runner on every compute node.
    void start_everything();
    std::vector<std::string> masters() const { return masters_; }
    std::vector<std::string> compute_nodes() const { return compute_nodes_; }
    std::string job_log() const;
    DaemonProcess& daemon(const std::string& host);
    void kill(const std::string& host, int sig);
    void forget(const std::string& host);  // reap and drop a killed daemon, so it can be started again

    // node_status as it is now (nullopt while there is none).
    std::optional<NodeStatus> node_status() const;
    // 1/0 of a node or a link ("n01", or "link n01 n02") in node_status; nullopt if absent.
    std::optional<bool> state(const std::string& subject) const;
    bool everything_up() const;
    std::string node_log() const;

    // Waits, on changes of the root directory, until `predicate` holds.
    template <class Predicate>
    bool wait_until(Predicate predicate, std::chrono::milliseconds timeout) {
        return watch_.wait_until(predicate, timeout);
    }

    // Every daemon's log, for a failing test's message.
    std::string logs() const;

private:
    ScratchDir scratch_;
    std::filesystem::path root_;
    std::uint16_t port_ = 0;
    std::map<std::string, std::string> addresses_;
    std::vector<std::string> masters_;
    std::vector<std::string> compute_nodes_;
    std::map<std::string, std::unique_ptr<DaemonProcess>> daemons_;
    std::function<std::vector<std::string>(const std::string&)> launcher_;
    DirectoryWatch watch_;
};

}  // namespace lobos::test
