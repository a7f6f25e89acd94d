#include "tests/support/multihost_cluster.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>
#include <stdexcept>

#include "share/io/atomic_file.hpp"
#include "tests/support/user_accounts.hpp"

namespace lobos::test {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> master_names = {"master1", "master2"};
const std::vector<std::string> compute_names = {"node1", "node2", "node3", "node4"};
// Both volumes are mounted on every host but the storage host at the same path.
const std::string root_volume = "cluster";
const std::string home_volume = "home";
// The one hub: the cluster network's bridge carries its multicast.
const std::string hub = "hub1";

MultiHostSpec bed_spec(const MultiHostOptions& options) {
    MultiHostSpec spec;
    spec.hosts = master_names;
    spec.hosts.insert(spec.hosts.end(), compute_names.begin(), compute_names.end());
    spec.hosts.push_back(MultiHostCluster::login_host);
    spec.volumes = {root_volume, home_volume};
    spec.mount_options = options.mount_options;
    spec.volume_options = options.volume_options;
    return spec;
}

std::string slurp(const fs::path& p) { return read_file_if_exists(p).value_or(""); }

// Users that test processes killed outright left: BASE and the pid of a
// process that is gone, with a home on a bed (never anyone else's user).
void remove_users_of_dead_tests(const std::string& base) {
    std::vector<std::string> dead;
    ::setpwent();
    while (const passwd* pw = ::getpwent()) {
        const std::string name = pw->pw_name;
        const std::string digits = name.starts_with(base) ? name.substr(base.size()) : "";
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
            std::string(pw->pw_dir).find("/lobos-multihost-") == std::string::npos)
            continue;
        const long pid = std::stol(digits);
        if (pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
            dead.push_back(name);
    }
    ::endpwent();
    for (const std::string& name : dead) run_process({"/usr/sbin/userdel", name});
}

}  // namespace

BedUser::BedUser(const MultiHostBed& bed, const std::string& base)
    : name(throwaway_user_name(base)),
      home(bed.mount_point(home_volume) / name),
      home_on_storage(bed.brick(home_volume) / name) {
    remove_users_of_dead_tests(base);
    run_process({"/usr/sbin/userdel", name});  // left by a killed test process that had this pid
    ProcessResult r = add_user(name, {"--home-dir", home.string()});
    if (r.exit_code != 0) throw std::runtime_error("useradd " + name + " failed: " + r.err);
    const passwd* pw = ::getpwnam(name.c_str());
    if (!pw) throw std::runtime_error("no passwd entry for " + name);
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    // Made through the login host's client, as an administrator would.
    bed.must_run_on(MultiHostCluster::login_host, {"/usr/bin/install", "-d", "-o", std::to_string(uid), "-g",
                                                   std::to_string(gid), "-m", "0755", home.string()});
}

BedUser::~BedUser() { run_process({"/usr/sbin/userdel", name}); }

MultiHostCluster::MultiHostCluster(const MultiHostOptions& options)
    : masters_(master_names), compute_nodes_(compute_names), bed_(bed_spec(options)) {
    fs::create_directories(bed_.local_dir() / "log");
    write_configuration(options);
    watch_ = std::make_unique<DirectoryWatch>(root_on_storage());
}

MultiHostCluster::~MultiHostCluster() = default;

fs::path MultiHostCluster::root() const { return bed_.mount_point(root_volume); }

fs::path MultiHostCluster::root_on_storage() const { return bed_.brick(root_volume); }

void MultiHostCluster::write_configuration(const MultiHostOptions& options) {
    // Every master and compute node on the one hub, at its cluster network address.
    std::ostringstream nodes, topology;
    nodes << "# The multi-host test bed: two masters and four compute nodes on one hub.\n"
             "#id ip name type CPUs CPUtype clock speed RAM swap links lx ly px py\n";
    topology << "# Every host on " << hub << ": name1 name2 IP1 IP2\n";
    int id = 1;
    for (const std::string& n : compute_nodes_) {
        nodes << id << " " << bed_.cluster_address(n) << " " << n << " 0 2 1 2400 1.0 4096 1024 1 "
              << 0.2 * id << " 0.8 " << 0.2 * id << " 0.6\n";
        ++id;
    }
    int rank = 1;
    for (const std::string& m : masters_) {
        nodes << 64 + rank << " " << bed_.cluster_address(m) << " " << m << " " << rank
              << " 2 1 2400 1.0 4096 1024 1 " << 0.3 * rank << " 0.1 " << 0.3 * rank << " 0.1\n";
        ++rank;
    }
    nodes << "69 999.999.999.999 " << hub << " 0 0 1 0 0.0 0 0 0 0.5 0.5 0.5 0.3\n";
    for (const std::string& m : masters_)
        topology << m << " " << hub << " " << bed_.cluster_address(m) << " 999.999.999.999\n";
    for (const std::string& n : compute_nodes_)
        topology << n << " " << hub << " " << bed_.cluster_address(n) << " 999.999.999.999\n";

    const fs::path staging = bed_.local_dir() / "config";
    fs::create_directories(staging);
    write_file_atomically(staging / "nodes", nodes.str());
    write_file_atomically(staging / "topology", topology.str());
    write_file_atomically(staging / "pulse.conf", options.pulse_conf);
    // Onto the shared root through a host's client, never into the brick; then the key.
    bed_.must_run_on(login_host, {"/bin/cp", "-r", staging.string(), (root() / "config").string()});
    bed_.must_run_on(login_host, {program("pulse"), "--keygen", "--root", root().string()});
}

void MultiHostCluster::start(const std::string& name, const std::string& host,
                             const std::vector<std::string>& argv) {
    std::vector<std::string> all = bed_.enter(host);
    all.insert(all.end(), argv.begin(), argv.end());
    std::string file = name + ".log";  // "pulse node1" logs to pulse.node1.log
    std::replace(file.begin(), file.end(), ' ', '.');
    daemons_[name] = std::make_unique<DaemonProcess>(all, bed_.local_dir() / "log" / file);
}

void MultiHostCluster::start_pulse(const std::string& host) {
    std::vector<std::string> argv = {program("pulse"), "--node", host, "--root", root().string()};
    if (std::find(masters_.begin(), masters_.end(), host) != masters_.end())
        argv.insert(argv.end(), {"--audit", audit_file(host).string()});
    start("pulse " + host, host, argv);
}

void MultiHostCluster::start_queue_daemon(const std::string& master) {
    start("lobosqd " + master, master, {program("lobosqd"), "--node", master, "--root", root().string()});
}

void MultiHostCluster::start_runner(const std::string& node) {
    start("runner " + node, node, {program("lobos-runner"), "--node", node, "--root", root().string()});
}

void MultiHostCluster::start_everything() {
    for (const std::string& m : masters_) start_pulse(m);
    for (const std::string& n : compute_nodes_) start_pulse(n);
    for (const std::string& m : masters_) start_queue_daemon(m);
    for (const std::string& n : compute_nodes_) start_runner(n);
}

void MultiHostCluster::signal(const std::string& name, int sig) {
    if (auto pid = MultiHostBed::inner_pid(daemon(name))) ::kill(*pid, sig);
}

std::vector<std::string> MultiHostCluster::daemon_names() const {
    std::vector<std::string> names;
    for (const auto& [name, d] : daemons_) names.push_back(name);
    return names;
}

fs::path MultiHostCluster::audit_file(const std::string& master) const {
    return bed_.local_dir() / ("audit." + master);
}

ProcessResult MultiHostCluster::lobosq(const BedUser& user, const std::vector<std::string>& args,
                                       const std::string& input) {
    // As the user logs in: their ids and groups, an environment made from their passwd entry.
    std::vector<std::string> argv = bed_.enter(login_host, user.home.string());
    argv.insert(argv.end(), {"/usr/bin/setpriv", "--reuid=" + std::to_string(user.uid),
                             "--regid=" + std::to_string(user.gid), "--init-groups", "--reset-env", "--",
                             program("lobosq"), "--root", root().string()});
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions options;
    options.input = input;
    return run_process(argv, options);
}

std::optional<NodeStatus> MultiHostCluster::node_status() const {
    auto text = read_file_if_exists(root_on_storage() / "node_status");
    if (!text) return std::nullopt;
    return parse_node_status(*text, std::chrono::system_clock::now()).status;
}

bool MultiHostCluster::everything_up() const {
    auto status = node_status();
    return status && lobos::everything_up(*status);
}

std::string MultiHostCluster::job_log() const { return slurp(root_on_storage() / "job.log"); }

std::string MultiHostCluster::logs() const {
    std::string out;
    for (const auto& [name, d] : daemons_) out += "--- " + name + "\n" + slurp(d->log());
    for (const char* file : {"node_status", "node.log", "job_status", "job.log", "master.lease"})
        out += std::string("--- ") + file + "\n" + slurp(root_on_storage() / file);
    return out + bed_.logs();
}

}  // namespace lobos::test
