// webstatus's small pure pieces: escaping, the listen address, routing,
// response heads and the live log's framing.

#include <doctest/doctest.h>

#include "webstatus/content/html_escape.hpp"
#include "webstatus/content/http_response.hpp"
#include "webstatus/content/job_page.hpp"
#include "webstatus/content/listen_address.hpp"
#include "webstatus/content/log_stream.hpp"
#include "webstatus/content/request_route.hpp"

using namespace lobos::web;

TEST_SUITE("webstatus") {
    TEST_CASE("html escaping turns a script tag and quotes into text") {
        CHECK(html_escape("<script>alert('x')</script>") ==
              "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        CHECK(html_escape("a & \"b\"") == "a &amp; &quot;b&quot;");
        CHECK(html_escape("plain.261123101500") == "plain.261123101500");
    }

    TEST_CASE("the job page puts the id in escaped wherever the placeholder is") {
        CHECK(job_page("<title>{{JOB_ID}}</title><body data-job-id=\"{{JOB_ID}}\">", "<b>\"x") ==
              "<title>&lt;b&gt;&quot;x</title><body data-job-id=\"&lt;b&gt;&quot;x\">");
        CHECK(job_page("no placeholder", "a.261123101500") == "no placeholder");
    }

    TEST_CASE("webstatus listens on loopback and WebPort unless told otherwise") {
        CHECK(parse_listen_address("", 7380).address == ListenAddress{"127.0.0.1", 7380});
        CHECK(parse_listen_address("0.0.0.0:8080", 7380).address == ListenAddress{"0.0.0.0", 8080});
        CHECK(parse_listen_address("127.0.9.1", 7380).address == ListenAddress{"127.0.9.1", 7380});
        CHECK(parse_listen_address("8081", 7380).address == ListenAddress{"127.0.0.1", 8081});
        CHECK(parse_listen_address("127.0.0.1:7380", 1).address->text() == "127.0.0.1:7380");
    }

    TEST_CASE("a bad listen address is refused with what is wrong in it") {
        CHECK(parse_listen_address("localhost:80", 7380).error.find("not an IPv4 address") !=
              std::string::npos);
        CHECK(parse_listen_address("127.0.0.1:0", 7380).error.find("port") != std::string::npos);
        CHECK(parse_listen_address("127.0.0.1:65536", 7380).error.find("port") != std::string::npos);
        CHECK(parse_listen_address("1.2.3:80", 7380).error.find("not an IPv4") != std::string::npos);
        CHECK(parse_listen_address("256.0.0.1:80", 7380).error.find("not an IPv4") != std::string::npos);
        CHECK_FALSE(parse_listen_address("abc", 7380).address);
    }

    TEST_CASE("requests are routed by method and path, and job ids in paths must be job ids") {
        CHECK(route_request("GET", "/").kind == RouteKind::page);
        CHECK(route_request("GET", "/api/nodes").kind == RouteKind::nodes);
        CHECK(route_request("GET", "/api/links").kind == RouteKind::links);
        CHECK(route_request("GET", "/api/jobs").kind == RouteKind::jobs);
        CHECK(route_request("GET", "/metrics").kind == RouteKind::metrics);
        CHECK(route_request("GET", "/api/jobs/alice.261123101500") ==
              Route{RouteKind::job, "alice.261123101500"});
        CHECK(route_request("GET", "/api/jobs/alice.261123101500/log") ==
              Route{RouteKind::job_log, "alice.261123101500"});
        CHECK(route_request("GET", "/jobs/a.b.261123101500") ==
              Route{RouteKind::job_page, "a.b.261123101500"});
        CHECK(route_request("GET", "/app.js") == Route{RouteKind::asset, "app.js"});
        CHECK(route_request("HEAD", "/api/nodes") == Route{RouteKind::nodes, "", true});
    }

    TEST_CASE("paths that are not the server's, and traversal attempts, are not found") {
        for (const char* path : {"/api/jobs/../../etc/passwd/log", "/api/jobs/..%2f..%2fetc%2fpasswd",
                                 "/api/jobs/alice.2611231015", "/api/jobs/alice.261123101500/log/x",
                                 "/api/jobs/alice/../bob.261123101500", "/jobs/<script>.261123101500",
                                 "/index.htm", "/../app.js", "/share/web/app.js", "/api/jobs/", "/api",
                                 "/etc/passwd", "", "/api/jobs/.261123101500", "/api/jobs/-x.261123101500"}) {
            CAPTURE(path);
            CHECK(route_request("GET", path).kind == RouteKind::not_found);
        }
        CHECK(route_request("GET", "/" + std::string(300, 'a')).kind == RouteKind::not_found);
    }

    TEST_CASE("methods other than GET and HEAD are not allowed") {
        for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "get", ""})
            CHECK(route_request(method, "/api/nodes").kind == RouteKind::method_not_allowed);
    }

    TEST_CASE("a response head says its length, its type and whether the connection stays open") {
        ResponseHead head;
        head.content_length = 42;
        const std::string text = response_head(head);
        CHECK(text.starts_with("HTTP/1.1 200 OK\r\n"));
        CHECK(text.find("Content-Length: 42\r\n") != std::string::npos);
        CHECK(text.find("Content-Type: application/json\r\n") != std::string::npos);
        CHECK(text.find("X-Content-Type-Options: nosniff\r\n") != std::string::npos);
        CHECK(text.find("Connection: keep-alive\r\n") != std::string::npos);
        CHECK(text.ends_with("\r\n\r\n"));
        head.status = 404;
        head.keep_alive = false;
        head.html = true;
        const std::string closing = response_head(head);
        CHECK(closing.starts_with("HTTP/1.1 404 Not Found\r\n"));
        CHECK(closing.find("Connection: close\r\n") != std::string::npos);
        CHECK(closing.find("Content-Security-Policy: default-src 'none'; script-src 'self'") !=
              std::string::npos);
    }

    TEST_CASE("keep-alive follows the Connection header, else the HTTP version") {
        CHECK(wants_keep_alive("1.1", nullptr));
        CHECK_FALSE(wants_keep_alive("1.0", nullptr));
        CHECK(wants_keep_alive("1.0", "Keep-Alive"));
        CHECK_FALSE(wants_keep_alive("1.1", "close"));
        CHECK(wants_keep_alive("1.1", "Upgrade, keep-alive"));
    }

    TEST_CASE("server-sent events and chunks are framed as the formats say") {
        CHECK(sse_event("log", "{\"text\":\"a\"}", 12) == "id: 12\nevent: log\ndata: {\"text\":\"a\"}\n\n");
        CHECK(sse_event("end", "{}") == "event: end\ndata: {}\n\n");
        CHECK(http_chunk("hello, world and more") == "15\r\nhello, world and more\r\n");
        CHECK(log_text_event("line <b>\n", 9) == "id: 9\nevent: log\ndata: {\"text\":\"line <b>\\n\"}\n\n");
    }

    TEST_CASE("a log piece is cut before a UTF-8 character that is not whole yet") {
        CHECK(utf8_complete_length("abc") == 3);
        CHECK(utf8_complete_length("ab\xC3\xA9") == 4);  // é whole
        CHECK(utf8_complete_length("ab\xC3") == 2);      // é's first byte only
        CHECK(utf8_complete_length("ab\xE2\x82") == 2);  // € without its last byte
        CHECK(utf8_complete_length("ab\xF0\x9F\x98\x80") == 6);
        CHECK(utf8_complete_length("ab\x80") == 3);  // a stray continuation byte goes out as it is
        CHECK(utf8_complete_length("") == 0);
    }

    TEST_CASE("a live log starts where the browser left off, else at the last 64 KiB") {
        CHECK(log_start_offset(std::nullopt, 100) == 0);
        CHECK(log_start_offset(std::nullopt, 100'000) == 100'000 - 65'536);
        CHECK(log_start_offset("40", 100) == 40);
        CHECK(log_start_offset("100", 100) == 100);
        CHECK(log_start_offset("101", 100) == 0);  // beyond the end: the log was replaced
        CHECK(log_start_offset("-5", 100) == 0);
        CHECK(log_start_offset("4x", 100) == 0);
    }
}
