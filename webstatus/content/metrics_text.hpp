#pragma once
// /metrics in the Prometheus text exposition format (version 0.0.4): the
// cluster's counts for a monitoring system to scrape. Pure.

#include <string>

#include "webstatus/content/status_snapshot.hpp"

namespace lobos::web {

// lobos_nodes{state}, lobos_node_up{node,kind}, lobos_links{state},
// lobos_link_up{name1,name2}, lobos_cpus{state}, lobos_jobs{state},
// lobos_heartbeat_datagrams_dropped_total{reason},
// lobos_node_status_age_seconds, lobos_status_stale,
// lobos_status_file_problem{file}.
std::string metrics_text(const StatusSnapshot& snapshot, WallTime now);

// A label value with \, " and newline escaped as the format requires.
std::string metrics_label_value(std::string_view value);

}  // namespace lobos::web
