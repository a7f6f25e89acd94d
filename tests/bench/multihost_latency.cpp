// bench_multihost_latency: the queue's latencies across hosts, on the
// multi-host test bed (tests/support/multihost_cluster): two masters, four
// compute nodes, a login host, the cluster root and the homes on GlusterFS.
// An ordinary user runs lobosq on the login host. All hosts share this
// machine's clock, so a time a job writes on a compute node compares with
// one taken here.
//
// Measured (issue 12's aims in brackets):
// - submit -> running: from just before lobosq is started to the time the
//   job's first command (`date +%s.%N`) prints [< 50 ms median, < 200 ms p99];
// - lobosq commands, start to exit: stat, --test-only, can [< 50 ms], and a
//   bare /bin/true started the same way (nsenter, setpriv) for comparison;
// - cancel -> process tree gone, beyond CancelGrace, for a job that ignores
//   SIGTERM (so SIGKILL at the end of the grace is what ends it) [< 100 ms];
// - a line the job prints, seen by `tail -f` on the login host [< 1 s].
// With GlusterFS's default mount options, then on a fresh bed for each
// --tuned-mount, and one with the --volume-set options if any. Skips with a
// message where the bed cannot run.
//
// Usage: bench_multihost_latency [--jobs 60] [--commands 30] [--cancels 10]
//        [--lines 20] [--pace MS] [--tuned-mount OPTIONS]... [--volume-set KEY=VALUE]...
//        [--defaults-only]

#include "tests/bench/multihost_latency.hpp"

#include <cstdio>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "tests/bench/bench_support.hpp"

namespace {

using namespace lobos;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using bench::load_average;
using bench::percentile;
using Options = bench::LatencyOptions;
using Figures = bench::LatencyFigures;
using test::MultiHostCluster;
using test::MultiHostOptions;

std::optional<Options> parse_options(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description options;
    options.add_options()  //
        ("jobs", po::value(&o.jobs)->value_name("N"),
         "jobs timed from submission to running (default 60)")                                             //
        ("commands", po::value(&o.commands)->value_name("N"), "runs of each lobosq command (default 30)")  //
        ("cancels", po::value(&o.cancels)->value_name("N"), "jobs cancelled (default 10)")                 //
        ("lines", po::value(&o.lines)->value_name("N"), "lines the job prints for tail -f (default 20)")   //
        ("pace", po::value(&o.pace_ms)->value_name("MS"),
         "submissions at most one per MS ms (default 1000; 0: back to back)")  //
        ("tuned-mount", po::value(&o.tuned_mounts)->value_name("OPTIONS")->composing(),
         "mount options of a further bed, repeatable (default: attribute-timeout=0, then "
         "attribute-timeout=0,entry-timeout=0,negative-timeout=0)")  //
        ("volume-set", po::value(&o.volume_sets)->value_name("KEY=VALUE")->composing(),
         "a `gluster volume set` option, repeatable: one more bed with them and default mounts")  //
        ("defaults-only", po::bool_switch(&o.defaults_only), "measure with GlusterFS's defaults only");
    if (!bench::read_command_line(argc, argv, "bench_multihost_latency [options]", options))
        return std::nullopt;
    if (o.jobs < 1 || o.commands < 1 || o.cancels < 1 || o.lines < 1 || o.pace_ms < 0)
        throw std::runtime_error("bad options");
    if (o.tuned_mounts.empty() && o.volume_sets.empty())
        o.tuned_mounts = {"attribute-timeout=0", "attribute-timeout=0,entry-timeout=0,negative-timeout=0"};
    return o;
}

double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

void print_row(const char* what, const std::vector<double>& values, const char* aim) {
    std::printf("  %-44s n=%-3zu median %8.1f ms  p99 %8.1f ms  max %8.1f ms   %s\n", what, values.size(),
                bench::median(values), percentile(values, 0.99), bench::maximum(values), aim);
}

void measure(const Options& options, const MultiHostOptions& bed_options) {
    std::string volume;
    for (const auto& [key, value] : bed_options.volume_options) volume += " " + key + "=" + value;
    std::printf("\n== mount options: %s; volume options:%s\n",
                bed_options.mount_options.empty() ? "GlusterFS defaults" : bed_options.mount_options.c_str(),
                volume.empty() ? " defaults" : volume.c_str());
    std::printf("  load average before: %s\n", load_average().c_str());
    const auto began = std::chrono::steady_clock::now();
    MultiHostCluster cluster(bed_options);
    cluster.start_everything();
    if (!cluster.wait_until(
            [&] { return cluster.everything_up() && fs::exists(cluster.root_on_storage() / "job_status"); },
            120s))
        throw std::runtime_error("the cluster did not come up in 120 s\n" + cluster.logs());
    std::printf("  the cluster came up in %.1f s\n", milliseconds_since(began) / 1000);
    Figures f;
    bench::measure_latencies(cluster, options, f);
    std::printf("  load average after:  %s\n", load_average().c_str());
    print_row("submit -> job's first command", f.submit_to_running, "aim < 50 median, < 200 p99");
    print_row("  of which: lobosq started -> daemon's round", f.to_daemon, "job.log");
    print_row("  the daemon's round -> shepherd forked", f.to_runner, "runner's log");
    print_row("  shepherd forked -> job's first command", f.to_job, "");
    print_row("lobosq < job (start to exit)", f.submit_command, "aim < 50");
    print_row("lobosq stat", f.stat_command, "aim < 50");
    print_row("lobosq --test-only", f.test_only_command, "aim < 50");
    print_row("lobosq can", f.cancel_command, "aim < 50");
    print_row("/bin/true the same way (nsenter, setpriv)", f.bare_command, "");
    print_row("lobosq can -> tree gone, beyond CancelGrace", f.cancel_beyond_grace, "aim < 100");
    print_row("a printed line seen by tail -f on login", f.line_lag, "aim < 1000");
    if (f.lines_missed) std::printf("  tail -f missed %d lines\n", f.lines_missed);
    // In units of one file-system round trip, of which these latencies are
    // mostly made: a figure that moves less with the machine.
    const double trip = f.round_trip;
    std::printf(
        "  one file-system lookup on login: %.2f ms; in lookups: submit -> running %.0f, lobosq < job "
        "%.0f, stat %.0f, --test-only %.0f, can %.0f, /bin/true %.0f\n",
        trip, bench::median(f.submit_to_running) / trip, bench::median(f.submit_command) / trip,
        bench::median(f.stat_command) / trip, bench::median(f.test_only_command) / trip,
        bench::median(f.cancel_command) / trip, bench::median(f.bare_command) / trip);
}

void benchmark(const Options& options) {
    if (auto why = test::why_no_multihost_bed()) {
        std::printf("bench_multihost_latency: skipped: %s\n", why->c_str());
        return;
    }
    std::printf(
        "bench_multihost_latency: %d jobs (one per %d ms at most), %d runs of each command, %d cancels, "
        "%d lines\n",
        options.jobs, options.pace_ms, options.commands, options.cancels, options.lines);
    measure(options, {});
    if (options.defaults_only) return;
    for (const std::string& mount : options.tuned_mounts) {
        MultiHostOptions tuned;
        tuned.mount_options = mount;
        measure(options, tuned);
    }
    MultiHostOptions volume;
    for (const std::string& set : options.volume_sets)
        if (const auto equals = set.find('='); equals != std::string::npos)
            volume.volume_options.emplace_back(set.substr(0, equals), set.substr(equals + 1));
    if (!volume.volume_options.empty()) measure(options, volume);
}

}  // namespace

int main(int argc, char** argv) {
    return lobos::bench::run_benchmark("bench_multihost_latency", argc, argv, parse_options, benchmark);
}
