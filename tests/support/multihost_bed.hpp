#pragma once
// A test bed of several hosts on this machine, as a real cluster is: each
// host is a network namespace of its own with its own mount, PID and UTS
// namespaces (it sees only its own processes and mounts, and has its own
// name and /run); a bridge joins the hosts (the cluster network) and a second
// bridge joins them to the storage host (the storage network), whose
// glusterd serves shared directories that every other host mounts with its
// own GlusterFS client at the same path. Every address lives inside the
// namespaces made here: no default route, nothing leaves the machine.
//
// Needs root, GlusterFS (share/install-deps --multihost) and FUSE. Everything
// goes when the object goes, also when a test fails. When the test process
// is killed outright its hosts' processes die with it; its namespaces,
// directories and users go when the next bed is made.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/netns_cluster.hpp"
#include "tests/support/scratch_dir.hpp"

namespace lobos::test {

// Why this machine cannot hold the bed (not root, no GlusterFS, no FUSE), or nullopt when it can.
std::optional<std::string> why_no_multihost_bed();

struct MultiHostSpec {
    // Every host but the storage host; each is on both networks. At most 11
    // characters (a switch port is named HOST-lan) and not "storage".
    std::vector<std::string> hosts;
    // Shared directories: each a GlusterFS volume with one brick on the
    // storage host, mounted on every other host at mount_point(name).
    std::vector<std::string> volumes;
    // Options of the FUSE mounts (mount -o), e.g. for caching; empty: GlusterFS's defaults.
    std::string mount_options;
    // `gluster volume set` options applied to every volume before it starts.
    std::vector<std::pair<std::string, std::string>> volume_options;
};

class MultiHostBed {
public:
    static constexpr const char* storage_host = "storage";

    explicit MultiHostBed(MultiHostSpec spec);
    ~MultiHostBed();
    MultiHostBed(const MultiHostBed&) = delete;
    MultiHostBed& operator=(const MultiHostBed&) = delete;

    const std::vector<std::string>& hosts() const { return spec_.hosts; }
    // A host's address on the cluster network and on the storage network.
    std::string cluster_address(const std::string& host) const;
    std::string storage_address(const std::string& host) const;

    // Where a volume is mounted on every host, and its brick on the storage
    // host: this test process (outside every host) reads the shared files
    // there and may watch them with inotify, but must write through a host.
    std::filesystem::path mount_point(const std::string& volume) const { return run_.path() / volume; }
    std::filesystem::path brick(const std::string& volume) const { return run_.path() / "bricks" / volume; }
    // A directory of the test's own on this machine's file system, for logs
    // and for files to copy onto the shared volumes (the hosts see it too:
    // /tmp is the machine's, not a host's).
    std::filesystem::path local_dir() const { return run_.path() / "local"; }

    // The command prefix that runs a program on `host` (all its namespaces),
    // in `directory` of that host. The program is the prefix's child, not the
    // process started (see inner_pid); the program must be named by its path.
    std::vector<std::string> enter(const std::string& host, const std::string& directory = "/") const;
    // Runs a program on `host` and waits for it, bounded by options.deadline.
    ProcessResult run_on(const std::string& host, const std::vector<std::string>& argv,
                         RunOptions options = {}) const;
    // As run_on, and throws with the program's error output when it fails.
    std::string must_run_on(const std::string& host, const std::vector<std::string>& argv) const;
    // The process that a DaemonProcess started with enter() runs: its pid as
    // this process sees it, for signals (nullopt once it has ended).
    static std::optional<pid_t> inner_pid(const DaemonProcess& started);

    // Kills every process of `host` at once (SIGKILL to its PID namespace's
    // init), as when the machine dies, and waits until they are gone.
    void kill_host(const std::string& host);
    // Starts a killed host again: new namespaces but the old network
    // interfaces, and the shared directories mounted again.
    void restart_host(const std::string& host);
    bool host_alive(const std::string& host) const;

    // Stops (or lets through again) all traffic between `host` and the
    // cluster network at the switch, as a dead switch port; its storage
    // network stays.
    void set_cluster_port_forwarding(const std::string& host, bool forwarding);

    // Every host's init log and GlusterFS client log, for a failing test's message.
    std::string logs() const;

private:
    struct Host {
        std::unique_ptr<DaemonProcess> unshare;  // the host's namespaces live while it does
        pid_t init = -1;                         // pid 1 of the host, as this process sees it
    };
    void wire();
    void start_host(const std::string& host);
    void mount_volumes(const std::string& host);
    void start_storage();
    std::string index_address(int network, const std::string& host) const;

    MultiHostSpec spec_;
    ScratchDir run_;
    NetworkNamespaces namespaces_;
    std::map<std::string, Host> hosts_;              // storage host included
    std::unique_ptr<DaemonProcess> storage_daemon_;  // glusterd, in the foreground on the storage host
};

}  // namespace lobos::test
