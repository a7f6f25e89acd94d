#include "webstatus/content/status_snapshot.hpp"

#include <algorithm>

namespace lobos::web {

Seconds stale_after(const PulseConf& conf) { return std::max(conf.heartbeat * 3, Seconds(3.0)); }

ClusterView make_cluster_view(ClusterConfig config) {
    ClusterView view;
    view.cpu_slots = number_cpus(config);
    view.stale_after = stale_after(config.pulse);
    view.config = std::move(config);
    return view;
}

Freshness freshness(const StatusSnapshot& snapshot, WallTime now) {
    Freshness f;
    const FileReport& file = snapshot.node_status_file;
    if (!file.present || !file.modified || !snapshot.node_status) return f;
    // A clock stepped back (or a file from a machine ahead of this one) is age 0, not negative.
    const double age = std::max(0.0, std::chrono::duration<double>(now - *file.modified).count());
    f.age_seconds = age;
    f.stale = age > snapshot.cluster->stale_after.count();
    return f;
}

}  // namespace lobos::web
