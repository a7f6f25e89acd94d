#pragma once
// Headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands on the browser's fd 3, replies and
// events on its fd 4, each message a JSON text ended by a NUL byte). No
// port, no WebSocket, no download: Debian's /usr/bin/chromium as it is.
// The browser is killed when the object goes.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace lobos::test {

class DevToolsPipe {
public:
    // Starts `chromium` with a fresh profile in `profile_dir`, its output to `log`.
    DevToolsPipe(const std::string& chromium, const std::filesystem::path& profile_dir,
                 const std::filesystem::path& log);
    ~DevToolsPipe();
    DevToolsPipe(const DevToolsPipe&) = delete;
    DevToolsPipe& operator=(const DevToolsPipe&) = delete;

    // Sends a command (to the page's session when `session` is given) and
    // returns its result; throws std::runtime_error with the protocol's
    // error, or when no reply comes within `timeout`.
    nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json::object(),
                        const std::string& session = "",
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // A page of its own to drive: the session id of a new tab.
    std::string open_page();

    // Runtime.evaluate of `expression` in the page, its value returned.
    nlohmann::json evaluate(const std::string& session, const std::string& expression);

private:
    pid_t pid_ = -1;
    int to_browser_ = -1;
    int from_browser_ = -1;
    int next_id_ = 1;
    std::string pending_;  // bytes read past the last whole message
};

}  // namespace lobos::test
