// lobosq: submits, cancels and lists jobs.
//   lobosq < job          submit the script (or type it at the lobosq> prompt)
//   lobosq can ID...      cancel jobs
//   lobosq stat [ID...]   the queue

#include <iostream>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "lobosq/command/commands.hpp"
#include "share/io/cluster_root.hpp"

namespace po = boost::program_options;

namespace {

const char* usage =
    "Usage:\n"
    "  lobosq [OPTIONS] < job      submit a job script; prints the job id\n"
    "  lobosq [OPTIONS]            type the script at the lobosq> prompt, end with ctrl-d\n"
    "  lobosq [OPTIONS] can ID...  cancel waiting or running jobs\n"
    "  lobosq --test-only < job    the CPUs, nodes and estimated start the job would get\n"
    "                              now; nothing is queued\n"
    "  lobosq [OPTIONS] stat [ID...]\n"
    "                              the queue: running and waiting jobs, and why jobs wait\n"
    "\n"
    "Directives in the script's leading comment block (see lobosq(1)):\n"
    "  #ETIME minutes  #CONFidence percent  #NPROCS n or lo-hi  #NPROC0 cpu\n"
    "  #TPIP 1|2  #ADMIN (root)  #RTIME time (root)\n"
    "\n"
    "Exit status: 0 done, 1 failed or refused by the queue, 2 job refused or bad\n"
    "arguments, 3 the queue daemon did not answer.\n";

}  // namespace

int main(int argc, char** argv) {
    po::options_description options("Options");
    options.add_options()("help,h", "show this help")(
        "test-only", "plan the script on standard input as if submitted now; queue nothing");
    lobos::add_cluster_options(options);
    po::options_description hidden;
    hidden.add_options()("words", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("words", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "lobosq: " << e.what() << "\n" << usage << "\n" << options;
        return lobos::exit_refused;
    }
    if (vm.count("help")) {
        std::cout << usage << "\n" << options;
        return lobos::exit_ok;
    }
    std::vector<std::string> words;
    if (vm.count("words")) words = vm["words"].as<std::vector<std::string>>();

    const lobos::ClusterPaths paths = lobos::cluster_paths_from(vm);
    if (!words.empty() && words[0] == "stat")
        return lobos::show_queue(paths, {words.begin() + 1, words.end()}, std::cout, std::cerr);
    if (vm.count("test-only") && !words.empty()) {
        std::cerr << "lobosq: --test-only takes the script on standard input, not '" << words[0] << "'\n";
        return lobos::exit_refused;
    }
    if (!words.empty() && words[0] != "can") {
        std::cerr << "lobosq: unknown command '" << words[0] << "' (the script goes on standard input)\n"
                  << usage;
        return lobos::exit_refused;
    }

    lobos::ConfigLoad load = lobos::read_cluster_config(paths.config_dir);
    if (!load.ok()) {
        for (const lobos::Diagnostic& d : load.diagnostics)
            if (d.severity == lobos::Severity::error) std::cerr << to_string(d) << "\n";
        std::cerr << "lobosq: the configuration in " << paths.config_dir.string() << " is not usable\n";
        return lobos::exit_failure;
    }
    if (!words.empty())
        return lobos::cancel_jobs(load.config, paths, {words.begin() + 1, words.end()}, std::cout, std::cerr);
    if (vm.count("test-only")) return lobos::test_job(load.config, paths, std::cin, std::cout, std::cerr);
    return lobos::submit_job(load.config, paths, std::cin, std::cout, std::cerr);
}
