// webstatus: the cluster's status for a browser, and as JSON and Prometheus
// metrics. Reads the configuration and the status files only, so it runs on
// any machine that sees the cluster root; writes nothing.

#include <signal.h>
#include <unistd.h>

#include <string>

#include <civetweb.h>

#include "share/io/command_line.hpp"
#include "share/io/daemon_log.hpp"
#include "webstatus/content/listen_address.hpp"
#include "webstatus/server/status_server.hpp"

namespace {

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "-";
    return name;
}

}  // namespace

int main(int argc, char** argv) {
    lobos::CommandLine command("webstatus",
                               "Usage: webstatus [--listen ADDR:PORT] [--root DIR] [--config DIR]\nOptions");
    command.add_options()("listen", boost::program_options::value<std::string>(),
                          "listen on ADDR:PORT, ADDR or PORT (default 127.0.0.1 and WebPort of pulse.conf)");
    if (auto exit = command.parse(argc, argv)) return *exit;
    std::optional<lobos::ClusterConfig> config = command.load_config(lobos::ConfigWarnings::omit);
    if (!config) return lobos::CommandLine::exit_usage;

    const lobos::web::ListenParse listen = lobos::web::parse_listen_address(
        command.has("listen") ? command.text("listen") : "", config->pulse.web_port);
    if (!listen.address) return command.usage_error(listen.error);

    // SIGINT and SIGTERM are taken by sigwait below: blocked before the
    // server's threads start, so none of them is interrupted by one.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    mg_init_library(0);
    lobos::DaemonLog log("webstatus", host_name());
    int status = 0;
    try {
        lobos::web::StatusServer::Options options;
        options.listen = *listen.address;
        options.log = &log;
        lobos::web::StatusServer server(command.paths(), std::move(*config), options);
        log.info("serving " + command.paths().root.string() + " at " + server.url());
        int signal = 0;
        sigwait(&stop_signals, &signal);
    } catch (const std::exception& e) {
        log.error(e.what());  // a start-up failure: the one kind that ends webstatus
        status = 1;
    }
    mg_exit_library();
    return status;
}
