#include "tests/browser/devtools_pipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace lobos::test {

using nlohmann::json;

DevToolsPipe::DevToolsPipe(const std::string& chromium, const std::filesystem::path& profile_dir,
                           const std::filesystem::path& log) {
    int commands[2];
    int replies[2];
    if (::pipe2(commands, O_CLOEXEC) != 0 || ::pipe2(replies, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (log_fd >= 0) {
        posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
        posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
    }
    posix_spawn_file_actions_adddup2(&actions, commands[0], 3);
    posix_spawn_file_actions_adddup2(&actions, replies[1], 4);

    // Headless, no sandbox (the tests run as root in CI), and nothing that
    // reaches for the network or updates itself: the machines have no internet.
    std::vector<std::string> args{chromium,
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--disable-dev-shm-usage",
                                  "--disable-background-networking",
                                  "--disable-component-update",
                                  "--disable-default-apps",
                                  "--disable-extensions",
                                  "--disable-sync",
                                  "--disable-breakpad",
                                  "--no-first-run",
                                  "--no-default-browser-check",
                                  "--metrics-recording-only",
                                  "--password-store=basic",
                                  "--hide-scrollbars",
                                  "--remote-debugging-pipe",
                                  "--user-data-dir=" + profile_dir.string(),
                                  "--window-size=1400,1000",
                                  "about:blank"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, chromium.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(commands[0]);
    ::close(replies[1]);
    if (log_fd >= 0) ::close(log_fd);
    to_browser_ = commands[1];
    from_browser_ = replies[0];
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + chromium + ": " + std::strerror(rc));
    }
}

DevToolsPipe::~DevToolsPipe() {
    if (to_browser_ >= 0) ::close(to_browser_);
    if (from_browser_ >= 0) ::close(from_browser_);
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

json DevToolsPipe::call(const std::string& method, const json& params, const std::string& session,
                        std::chrono::milliseconds timeout) {
    const int id = next_id_++;
    json message{{"id", id}, {"method", method}, {"params", params}};
    if (!session.empty()) message["sessionId"] = session;
    std::string text = message.dump();
    text += '\0';
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(to_browser_, text.data() + done, text.size() - done);
        if (n <= 0) throw std::runtime_error(method + ": the browser closed its pipe");
        done += static_cast<std::size_t>(n);
    }
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
        // Whole messages first: events are read and let go, the reply is kept.
        for (std::size_t end; (end = pending_.find('\0')) != std::string::npos;) {
            const json reply = json::parse(pending_.substr(0, end), nullptr, false);
            pending_.erase(0, end + 1);
            if (!reply.is_object() || !reply.contains("id") || reply["id"] != id) continue;
            if (reply.contains("error")) throw std::runtime_error(method + ": " + reply["error"].dump());
            return reply.value("result", json::object());
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error(method + ": no reply from the browser in time");
        pollfd p{from_browser_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[65536];
        const ssize_t n = ::read(from_browser_, buffer, sizeof buffer);
        if (n <= 0) throw std::runtime_error(method + ": the browser exited");
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

std::string DevToolsPipe::open_page() {
    const json target = call("Target.createTarget", {{"url", "about:blank"}});
    const json attached =
        call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}});
    return attached["sessionId"];
}

json DevToolsPipe::evaluate(const std::string& session, const std::string& expression) {
    const json result =
        call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, session);
    if (result.contains("exceptionDetails"))
        throw std::runtime_error("evaluate " + expression + ": " + result["exceptionDetails"].dump());
    return result["result"].value("value", json());
}

}  // namespace lobos::test
