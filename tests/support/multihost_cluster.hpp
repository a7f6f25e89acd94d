#pragma once
// LoBoS on the multi-host test bed: two masters, four compute nodes, a login
// host and the storage host, the cluster root and the home directories
// shared over GlusterFS. pulse, lobosqd and lobos-runner run inside their
// hosts from the build's bin directory, with a configuration made for the
// bed's addresses; users submit from the login host.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "share/formats/node_status.hpp"
#include "tests/support/multihost_bed.hpp"

namespace lobos::test {

struct MultiHostOptions {
    std::string mount_options;                                        // MultiHostSpec::mount_options
    std::vector<std::pair<std::string, std::string>> volume_options;  // MultiHostSpec::volume_options
    // pulse.conf: the demo's fast timers. The port is fixed because every
    // host's network is this bed's own: no other program can hold it there.
    std::string pulse_conf =
        "HeartBeat 0.5\nNodeTimeOut 2\nLinkTimeOut 2\nMasterTimeOut 2\nPulsePort 7311\nWebPort 7380\n"
        "CancelGrace 1\n";
};

// An ordinary user made for one test (root only), with a home directory on
// the shared home volume; removed when the object goes.
class BedUser {
public:
    BedUser(const MultiHostBed& bed, const std::string& base);
    ~BedUser();
    BedUser(const BedUser&) = delete;
    BedUser& operator=(const BedUser&) = delete;

    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::filesystem::path home;             // as every host sees it
    std::filesystem::path home_on_storage;  // its brick directory, for the test to read
};

class MultiHostCluster {
public:
    static constexpr const char* login_host = "login";

    explicit MultiHostCluster(const MultiHostOptions& options = {});
    ~MultiHostCluster();

    MultiHostBed& bed() { return bed_; }
    const std::vector<std::string>& masters() const { return masters_; }
    const std::vector<std::string>& compute_nodes() const { return compute_nodes_; }
    // The cluster root as every host sees it (the daemons' --root).
    std::filesystem::path root() const;
    // The cluster root on the storage host's brick: the test reads the files there.
    std::filesystem::path root_on_storage() const;

    void start_pulse(const std::string& host);
    void start_queue_daemon(const std::string& master);
    void start_runner(const std::string& node);
    // pulse on every master and compute node, lobosqd on every master, a runner on every compute node.
    void start_everything();
    // A daemon started above: "pulse HOST", "lobosqd MASTER", "runner NODE".
    DaemonProcess& daemon(const std::string& name) { return *daemons_.at(name); }
    // Signals the daemon itself (not the nsenter that started it).
    void signal(const std::string& name, int sig);
    // Every daemon started so far, by name (a restarted one once).
    std::vector<std::string> daemon_names() const;
    // Where pulse on `master` appends a line per status write (pulse --audit):
    // on this machine's file system, so appends of two hosts never mix.
    std::filesystem::path audit_file(const std::string& master) const;

    // Runs lobosq as `user` on the login host, in the user's home directory.
    ProcessResult lobosq(const BedUser& user, const std::vector<std::string>& args,
                         const std::string& input = "");

    std::optional<NodeStatus> node_status() const;
    bool everything_up() const;  // every node and link up in node_status
    std::string job_log() const;

    // Waits on changes of the cluster root's brick until `predicate` holds.
    template <class Predicate>
    bool wait_until(Predicate predicate, std::chrono::milliseconds timeout) {
        return watch_->wait_until(predicate, timeout);
    }

    // Every daemon's log and the shared status files, for a failing test's message.
    std::string logs() const;

private:
    void write_configuration(const MultiHostOptions& options);
    void start(const std::string& name, const std::string& host, const std::vector<std::string>& argv);

    std::vector<std::string> masters_;
    std::vector<std::string> compute_nodes_;
    MultiHostBed bed_;
    std::unique_ptr<DirectoryWatch> watch_;
    std::map<std::string, std::unique_ptr<DaemonProcess>> daemons_;
};

}  // namespace lobos::test
