// The status page in a real browser: Debian's Chromium, headless, driven
// over the DevTools protocol, against the demo cluster with webstatus. The
// map must show every host, a killed node must turn to the down colour
// without a reload, and text users control must show as text. The
// screenshot stays in the build tree (build/tests/artifacts/).

#include <signal.h>

#include <fstream>
#include <thread>

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "tests/browser/base64_decode.hpp"
#include "tests/browser/devtools_pipe.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_cluster.hpp"

using namespace lobos;
using namespace lobos::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* chromium = "/usr/bin/chromium";
constexpr auto patience = 20s;
// The colour of a down node in share/web/style.css (--down).
constexpr const char* down_colour = "rgb(214, 39, 40)";

// Evaluates `expression` in the page until it is true; how long that took.
std::optional<std::chrono::milliseconds> wait_in_page(DevToolsPipe& browser, const std::string& session,
                                                      const std::string& expression,
                                                      std::chrono::milliseconds timeout = patience) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < timeout) {
        // Thrown while a navigation replaces the document: not yet.
        if (browser.evaluate(session, "(() => { try { return Boolean(" + expression +
                                          "); } catch (e) { return false; } })()") == true)
            return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                         start);
        std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
}

fs::path save_screenshot(DevToolsPipe& browser, const std::string& session, const std::string& name) {
    const json shot = browser.call("Page.captureScreenshot", {{"format", "png"}}, session);
    const std::optional<std::string> png = base64_decode(shot["data"].get<std::string>());
    REQUIRE(png);
    const fs::path dir = fs::path(LOBOS_BIN_DIR).parent_path() / "tests" / "artifacts";
    fs::create_directories(dir);
    const fs::path path = dir / name;
    std::ofstream(path, std::ios::binary) << *png;
    return path;
}

}  // namespace

TEST_CASE("the status page maps every node and turns a killed one to the down colour without a reload") {
    if (!fs::exists(chromium)) {
        MESSAGE("skipped: " << chromium << " is not installed (share/install-deps --browser installs it)");
        return;
    }
    TestCluster cluster("browser");
    cluster.start_everything();
    REQUIRE_MESSAGE(
        cluster.wait_until(
            [&] { return cluster.everything_up() && fs::exists(cluster.root() / "job_detail.json"); },
            patience),
        cluster.logs());
    const std::string address = cluster.address("master1");
    const std::uint16_t port = cluster.pulse_port();
    DaemonProcess web({program("webstatus"), "--root", cluster.root().string(), "--listen",
                       address + ":" + std::to_string(port)},
                      cluster.root() / "log" / "webstatus.log");
    const auto until = std::chrono::steady_clock::now() + patience;
    while (http_get(address, port, "/api/status").status != 200 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(50ms);
    REQUIRE(http_get(address, port, "/api/status").status == 200);

    // A job whose directory and output are markup: the page must show them as text.
    ScratchDir work("browser-work");
    const fs::path dir = work.path() / "<img src=x onerror=document.title='pwned'>";
    fs::create_directories(dir);
    RunOptions options;
    options.input = "echo '<script>document.title=\"pwned\"</script><b>bold?</b>'\nsleep 60\n";
    options.working_directory = dir.string();
    const ProcessResult submitted =
        run_process({program("lobosq"), "--root", cluster.root().string()}, options);
    REQUIRE_MESSAGE(submitted.exit_code == 0, submitted.err);
    const std::string id = submitted.out.substr(0, submitted.out.find('\n'));

    ScratchDir profile("browser-profile");
    DevToolsPipe browser(chromium, profile.path(), cluster.root() / "log" / "chromium.log");
    const std::string page = browser.open_page();
    browser.call("Emulation.setDeviceMetricsOverride",
                 {{"width", 1400}, {"height", 1000}, {"deviceScaleFactor", 1}, {"mobile", false}}, page);
    const std::string base = "http://" + address + ":" + std::to_string(port);
    browser.call("Page.navigate", {{"url", base + "/"}}, page);

    // Every host of config/nodes (10 hosts and 2 hubs) on the map, and the hosts up.
    REQUIRE_MESSAGE(
        wait_in_page(browser, page,
                     "document.querySelectorAll('#map [data-node]').length === 12 && "
                     "document.querySelectorAll('#map [data-node][data-state=\"up\"]').length === 12"),
        browser.evaluate(page, "document.body.innerText"));
    CHECK(browser.evaluate(
              page, "document.querySelector('#jobs tbody').textContent.includes('" + id + "')") == true);

    // A mark that a reload would wipe out.
    browser.evaluate(page, "window.lobosMark = 42");
    cluster.kill("n05", SIGKILL);
    const auto took = wait_in_page(
        browser, page,
        "document.querySelector('#map [data-node=\"n05\"]').getAttribute('data-state') === 'down' && "
        "getComputedStyle(document.querySelector('#map [data-node=\"n05\"]')).fill === '" +
            std::string(down_colour) + "'");
    REQUIRE_MESSAGE(took, browser.evaluate(page, "document.body.innerText"));
    MESSAGE("the map showed n05 down " << took->count() << " ms after it was killed");
    CHECK(browser.evaluate(page, "window.lobosMark") == 42);
    CHECK(
        browser.evaluate(page, "getComputedStyle(document.querySelector('#map [data-node=\"n04\"]')).fill") !=
        down_colour);
    const fs::path shot = save_screenshot(browser, page, "webstatus.png");
    MESSAGE("screenshot: " << shot.string());
    CHECK(fs::file_size(shot) > 10'000);

    // The job page: the directory and the log are text, nothing of them ran.
    browser.call("Page.navigate", {{"url", base + "/jobs/" + id}}, page);
    REQUIRE_MESSAGE(
        wait_in_page(browser, page, "document.getElementById('log').textContent.includes('bold?')"),
        browser.evaluate(page, "document.body.innerText"));
    CHECK(browser.evaluate(
              page, "document.getElementById('log').textContent.includes('<script>document.title')") == true);
    REQUIRE(wait_in_page(browser, page, "document.querySelector('#job').textContent.includes('<img src=x')"));
    CHECK(browser.evaluate(page, "document.querySelectorAll('main img, main script, #log b').length") == 0);
    CHECK(browser.evaluate(page, "document.title") != "pwned");
    MESSAGE("screenshot: " << save_screenshot(browser, page, "webstatus-job.png").string());
}
