#pragma once
// A small cluster and status values for webstatus's unit tests: two compute
// nodes of 2 CPUs (n01, n02), a master, a hub; n01-n02 direct, all on hub1.

#include <chrono>
#include <memory>

#include "config/config_loader.hpp"
#include "webstatus/content/status_snapshot.hpp"

namespace lobos::test {

inline ClusterConfig webstatus_cluster() {
    ConfigTexts texts;
    texts.nodes = {"nodes",
                   "1 10.0.0.1 n01 0 2 1 2400 1.0 4096 1024 2 0.1 0.2 0.3 0.4\n"
                   "2 10.0.0.2 n02 0 2 1 2400 1.0 4096 1024 2 0.5 0.6 0.7 0.8\n"
                   "65 10.0.0.9 master1 1 2 1 2400 1.0 4096 1024 1 0.9 0.9 0.9 0.9\n"
                   "69 999.999.999.999 hub1 0 0 1 0 0.0 0 0 0 0.5 0.5 0.5 0.5\n"};
    texts.topology = {"topology",
                      "n01 n02 10.0.0.1 10.0.0.2\n"
                      "n01 hub1 10.0.0.1 999.999.999.999\n"
                      "n02 hub1 10.0.0.2 999.999.999.999\n"
                      "master1 hub1 10.0.0.9 999.999.999.999\n"};
    texts.pulse_conf = {"pulse.conf", "HeartBeat 0.5\nNodeTimeOut 2\nLinkTimeOut 2\nMasterTimeOut 2\n"};
    return load_cluster_config(texts).config;
}

inline WallTime at_seconds(double s) {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::duration<double>(s)));
}

// n01 up, n02 down, master1 up; n01-n02 down, the hub links up; node_status
// written at t=1000.
inline web::StatusSnapshot webstatus_snapshot() {
    web::StatusSnapshot s;
    s.cluster = std::make_shared<const web::ClusterView>(web::make_cluster_view(webstatus_cluster()));
    auto status = std::make_shared<NodeStatus>();
    status->written = at_seconds(1000);
    status->nodes = {{"n01", true, at_seconds(900)},
                     {"n02", false, at_seconds(950)},
                     {"master1", true, at_seconds(800)},
                     {"hub1", true, at_seconds(800)}};
    status->links = {{"n01", "n02", "10.0.0.1", "10.0.0.2", false, at_seconds(950)},
                     {"n01", "hub1", "10.0.0.1", "231.231.231.231", true, at_seconds(900)},
                     {"n02", "hub1", "10.0.0.2", "231.231.231.231", true, at_seconds(900)},
                     {"master1", "hub1", "10.0.0.9", "231.231.231.231", true, at_seconds(800)}};
    s.node_status = status;
    s.node_status_file.present = true;
    s.node_status_file.has_data = true;
    s.node_status_file.modified = at_seconds(1000);
    return s;
}

}  // namespace lobos::test
