#pragma once
// webstatus's edge: the CivetWeb server and the one object that owns it.
// Requests are routed (request_route), answered from the status cache with
// bodies made by the pure builders (status_json, metrics_text), each body
// kept while the status files and the second are the same, and job logs are
// streamed as server-sent events. Read-only: nothing here writes a file.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "share/io/cluster_root.hpp"
#include "webstatus/content/listen_address.hpp"
#include "webstatus/content/request_route.hpp"
#include "webstatus/server/status_cache.hpp"

struct mg_connection;
struct mg_context;

namespace lobos {
class DaemonLog;
}

namespace lobos::web {

class StatusServer {
public:
    struct Options {
        ListenAddress listen;
        // CivetWeb serves each connection on a worker thread of its own: a
        // keep-alive client or a live log holds one while it is open.
        int threads = 48;
        int max_log_streams = 16;
        // Where a request that failed inside the server is said (at a
        // limited rate); none in tests that do not care.
        DaemonLog* log = nullptr;
    };

    // Starts serving; throws std::runtime_error saying why it cannot (the address is taken...).
    StatusServer(ClusterPaths paths, ClusterConfig config, Options options);
    // Stops: open log streams end within a poll interval.
    ~StatusServer();
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    std::string url() const;

private:
    struct CachedBody {
        std::mutex mutex;
        std::uint64_t generation = 0;
        std::chrono::steady_clock::time_point made{};
        std::shared_ptr<const std::string> body;
    };

    static int on_request(mg_connection* connection, void* self);
    int serve(mg_connection* connection);
    int answer(mg_connection* connection, const Route& route, int status, std::string_view content_type,
               std::string_view body, std::string_view cache_control = "no-store", bool html = false);
    int not_found(mg_connection* connection, const Route& route);
    std::shared_ptr<const std::string> cached(CachedBody& cache, const StatusSnapshot& snapshot,
                                              std::string (*make)(const StatusSnapshot&, WallTime));
    int stream_log(mg_connection* connection, const Route& route);

    Options options_;
    std::shared_ptr<const ClusterView> cluster_;
    std::string cluster_body_;  // /api/cluster: the configuration does not change while serving
    StatusCache cache_;
    CachedBody status_body_, nodes_body_, links_body_, jobs_body_, metrics_body_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> log_streams_{0};
    mg_context* context_ = nullptr;
};

}  // namespace lobos::web
