#include "webstatus/server/status_server.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <civetweb.h>

#include "share/io/daemon_log.hpp"
#include "webstatus/content/http_response.hpp"
#include "webstatus/content/job_log_source.hpp"
#include "webstatus/content/job_page.hpp"
#include "webstatus/content/log_stream.hpp"
#include "webstatus/content/metrics_text.hpp"
#include "webstatus/content/status_json.hpp"
#include "webstatus/server/web_assets.hpp"

namespace lobos::web {

namespace {

// How long a body made for one request serves the next ones: the ages and
// staleness in it move with the clock, so not forever, but at thousands of
// requests a second the builders run a few times a second at most.
constexpr auto body_lifetime = std::chrono::milliseconds(250);
// A live log looks at its file this often, and says something at least
// every keep_alive so that a browser gone away is noticed.
constexpr auto log_poll = std::chrono::milliseconds(200);
constexpr auto log_keep_alive = std::chrono::seconds(10);

bool write_all(mg_connection* connection, std::string_view data) {
    return data.empty() || mg_write(connection, data.data(), data.size()) > 0;
}

std::optional<std::string> query_value(const mg_request_info* request, const char* name) {
    if (!request->query_string) return std::nullopt;
    char value[32];
    const int n =
        mg_get_var(request->query_string, std::strlen(request->query_string), name, value, sizeof value);
    if (n < 0) return std::nullopt;
    return std::string(value, static_cast<std::size_t>(n));
}

// An open ID.log, reopened when the file is replaced.
struct OpenLog {
    int fd = -1;
    ino_t inode = 0;
    ~OpenLog() { close(); }
    void close() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

}  // namespace

StatusServer::StatusServer(ClusterPaths paths, ClusterConfig config, Options options)
    : options_(std::move(options)),
      cluster_(std::make_shared<const ClusterView>(make_cluster_view(std::move(config)))),
      cluster_body_(cluster_json(*cluster_)),
      cache_(std::move(paths), cluster_) {
    const std::string ports = options_.listen.text();
    const std::string threads = std::to_string(options_.threads);
    const char* civet_options[] = {
        "listening_ports",
        ports.c_str(),
        "num_threads",
        threads.c_str(),
        "enable_keep_alive",
        "yes",
        "keep_alive_timeout_ms",
        "5000",
        "request_timeout_ms",
        "10000",
        // Head and body leave in one or two writes; without Nagle a body
        // never waits for the peer's delayed ACK of the head.
        "tcp_nodelay",
        "1",
        "decode_url",
        "yes",
        // No document_root: CivetWeb itself serves no file; every request comes to on_request.
        nullptr,
    };
    mg_callbacks callbacks{};
    mg_init_data init{&callbacks, this, civet_options};
    char error_text[256] = "";
    unsigned error_code = 0;
    mg_error_data error{&error_code, error_text, sizeof error_text};
    context_ = mg_start2(&init, &error);
    if (!context_)
        throw std::runtime_error(
            "cannot listen on " + ports + ": " +
            (error_text[0] ? std::string(error_text) : std::string("CivetWeb failed to start")));
    mg_set_request_handler(context_, "/", &StatusServer::on_request, this);
}

StatusServer::~StatusServer() {
    stopping_ = true;
    if (context_) mg_stop(context_);
}

std::string StatusServer::url() const { return "http://" + options_.listen.text() + "/"; }

int StatusServer::on_request(mg_connection* connection, void* self) {
    try {
        return static_cast<StatusServer*>(self)->serve(connection);
    } catch (const std::exception& e) {
        // A bug or an I/O error here must cost one request, never the server.
        if (DaemonLog* log = static_cast<StatusServer*>(self)->options_.log)
            log->limited(LogLevel::error, "request", std::string("a request failed: ") + e.what());
        const std::string body = "{\"error\":\"internal error\"}";
        ResponseHead head;
        head.status = 500;
        head.content_length = body.size();
        head.keep_alive = false;
        mg_disable_keep_alive(connection);
        write_all(connection, response_head(head) + body);
        return 500;
    }
}

int StatusServer::answer(mg_connection* connection, const Route& route, int status,
                         std::string_view content_type, std::string_view body, std::string_view cache_control,
                         bool html) {
    const mg_request_info* request = mg_get_request_info(connection);
    ResponseHead head;
    head.status = status;
    head.content_type = content_type;
    head.content_length = body.size();
    head.cache_control = cache_control;
    head.html = html;
    head.keep_alive = wants_keep_alive(request->http_version ? request->http_version : "",
                                       mg_get_header(connection, "Connection"));
    if (!head.keep_alive) mg_disable_keep_alive(connection);
    std::string text = response_head(head);
    if (route.head) {
        write_all(connection, text);
    } else if (body.size() <= 16 * 1024) {
        text += body;
        write_all(connection, text);
    } else if (write_all(connection, text)) {
        write_all(connection, body);
    }
    return status;
}

int StatusServer::not_found(mg_connection* connection, const Route& route) {
    return answer(connection, route, 404, "application/json", "{\"error\":\"not found\"}");
}

std::shared_ptr<const std::string> StatusServer::cached(CachedBody& cache, const StatusSnapshot& snapshot,
                                                        std::string (*make)(const StatusSnapshot&,
                                                                            WallTime)) {
    std::lock_guard lock(cache.mutex);
    const auto now = std::chrono::steady_clock::now();
    if (!cache.body || cache.generation != snapshot.generation || now - cache.made >= body_lifetime) {
        cache.body = std::make_shared<const std::string>(make(snapshot, std::chrono::system_clock::now()));
        cache.generation = snapshot.generation;
        cache.made = now;
    }
    return cache.body;
}

int StatusServer::serve(mg_connection* connection) {
    const mg_request_info* request = mg_get_request_info(connection);
    const char* path = request->local_uri_raw ? request->local_uri_raw : request->local_uri;
    const Route route =
        route_request(request->request_method ? request->request_method : "", path ? path : "");
    constexpr std::string_view json = "application/json";

    switch (route.kind) {
        case RouteKind::method_not_allowed:
            return answer(connection, route, 405, json, "{\"error\":\"only GET and HEAD\"}");
        case RouteKind::not_found:
            return not_found(connection, route);
        case RouteKind::page: {
            const WebAsset* page = find_web_asset("index.html");
            if (!page) return not_found(connection, route);
            return answer(connection, route, 200, page->content_type, page->body, "no-cache", true);
        }
        case RouteKind::asset: {
            const WebAsset* asset = find_web_asset(route.argument);
            if (!asset) return not_found(connection, route);
            return answer(connection, route, 200, asset->content_type, asset->body, "no-cache");
        }
        case RouteKind::job_page: {
            const WebAsset* page = find_web_asset("job.html");
            if (!page) return not_found(connection, route);
            // Only jobs the status files know have a page, as only they have a log.
            if (!job_json(*cache_.current(), route.argument, std::chrono::system_clock::now()))
                return not_found(connection, route);
            const std::string html = job_page(page->body, route.argument);
            return answer(connection, route, 200, page->content_type, html, "no-cache", true);
        }
        case RouteKind::cluster:
            return answer(connection, route, 200, json, cluster_body_);
        case RouteKind::status:
            return answer(connection, route, 200, json,
                          *cached(status_body_, *cache_.current(), status_json));
        case RouteKind::nodes:
            return answer(connection, route, 200, json, *cached(nodes_body_, *cache_.current(), nodes_json));
        case RouteKind::links:
            return answer(connection, route, 200, json, *cached(links_body_, *cache_.current(), links_json));
        case RouteKind::jobs:
            return answer(connection, route, 200, json, *cached(jobs_body_, *cache_.current(), jobs_json));
        case RouteKind::metrics:
            return answer(connection, route, 200, "text/plain; version=0.0.4; charset=utf-8",
                          *cached(metrics_body_, *cache_.current(), metrics_text));
        case RouteKind::job: {
            const auto body = job_json(*cache_.current(), route.argument, std::chrono::system_clock::now());
            if (!body) return not_found(connection, route);
            return answer(connection, route, 200, json, *body);
        }
        case RouteKind::job_log:
            return stream_log(connection, route);
    }
    return not_found(connection, route);
}

int StatusServer::stream_log(mg_connection* connection, const Route& route) {
    std::optional<JobLogSource> source = job_log_source(*cache_.current(), route.argument);
    if (!source) return not_found(connection, route);
    if (route.head) return answer(connection, route, 200, "text/event-stream", "");

    // Each stream holds a worker thread: beyond the limit, the browser retries later.
    if (++log_streams_ > options_.max_log_streams) {
        --log_streams_;
        return answer(connection, route, 503, "application/json", "{\"error\":\"too many live logs open\"}");
    }
    struct Release {
        std::atomic<int>& count;
        ~Release() { --count; }
    } release{log_streams_};

    const mg_request_info* request = mg_get_request_info(connection);
    const bool chunked = request->http_version && std::string_view(request->http_version) == "1.1";
    mg_disable_keep_alive(connection);
    ResponseHead head;
    head.content_type = "text/event-stream; charset=utf-8";
    head.keep_alive = false;
    head.chunked = chunked;
    auto send = [&](std::string_view data) {
        return write_all(connection, chunked ? http_chunk(data) : std::string(data));
    };
    if (!write_all(connection, response_head(head)) || !send("retry: 2000\n\n")) return 200;

    std::optional<std::string> requested;
    if (const char* last = mg_get_header(connection, "Last-Event-ID"))
        requested = last;
    else
        requested = query_value(request, "from");

    OpenLog log;
    long long offset = -1;
    bool said_waiting = false;
    auto last_sent = std::chrono::steady_clock::now();
    auto last_look = last_sent;
    std::string buffer;
    while (!stopping_) {
        struct stat path_stat {};
        const bool exists = ::stat(source->path.c_str(), &path_stat) == 0;
        if (exists && (log.fd < 0 || path_stat.st_ino != log.inode)) {
            const bool replaced = log.fd >= 0;
            log.close();
            // O_NOFOLLOW and the owner check: the log shown is the file the
            // job's runner made, not a link its owner put there to another file.
            log.fd = ::open(source->path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
            struct stat st {};
            if (log.fd < 0 || ::fstat(log.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
                (source->uid && st.st_uid != *source->uid)) {
                send(log_notice_event(
                    "error",
                    log_message_json(route.argument + ".log is not a regular file of the job's owner")));
                break;
            }
            log.inode = st.st_ino;
            if (replaced) {
                offset = 0;
                if (!send(log_notice_event("reset", "{}"))) break;
            }
        }
        if (log.fd < 0 && !said_waiting) {
            said_waiting = true;
            if (!send(log_notice_event("waiting", log_message_json("no " + route.argument + ".log yet"))))
                break;
            last_sent = std::chrono::steady_clock::now();
        }
        bool failed = false;
        if (log.fd >= 0) {
            struct stat st {};
            if (::fstat(log.fd, &st) != 0) break;
            const long long size = st.st_size;
            if (offset < 0) {
                offset = log_start_offset(requested, size);
                if (offset > 0 && !requested &&
                    !send(log_notice_event("skipped", "{\"bytes\":" + std::to_string(offset) + "}")))
                    break;
            }
            if (size < offset) {
                offset = 0;
                if (!send(log_notice_event("reset", "{}"))) break;
            }
            while (offset < size && !stopping_) {
                buffer.resize(static_cast<std::size_t>(std::min<long long>(size - offset, log_event_bytes)));
                const ssize_t n = ::pread(log.fd, buffer.data(), buffer.size(), offset);
                if (n <= 0) break;
                buffer.resize(static_cast<std::size_t>(n));
                std::size_t whole = utf8_complete_length(buffer);
                if (whole == 0) whole = buffer.size();  // a lone broken sequence: send it as it is
                offset += static_cast<long long>(whole);
                if (!send(log_text_event(std::string_view(buffer).substr(0, whole), offset))) {
                    failed = true;
                    break;
                }
                last_sent = std::chrono::steady_clock::now();
            }
        }
        if (failed) break;

        const auto now = std::chrono::steady_clock::now();
        if (now - last_look >= std::chrono::seconds(1)) {
            last_look = now;
            // Once the job has ended, what its log holds is all there will be.
            if (auto fresh = job_log_source(*cache_.current(), route.argument)) source = std::move(fresh);
            if (source->finished) {
                struct stat st {};
                const bool all_sent = log.fd < 0 || (::fstat(log.fd, &st) == 0 && offset >= st.st_size);
                if (all_sent) {
                    send(log_notice_event("end", "{\"state\":\"ended\"}"));
                    break;
                }
            }
        }
        if (now - last_sent >= log_keep_alive) {
            if (!send(": keep-alive\n\n")) break;
            last_sent = now;
        }
        std::this_thread::sleep_for(log_poll);
    }
    if (chunked) write_all(connection, "0\r\n\r\n");
    return 200;
}

}  // namespace lobos::web
