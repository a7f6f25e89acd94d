// The page's files (share/web): small, self-contained, and text from the
// API never parsed as markup.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_SUITE("webstatus") {
    TEST_CASE("the page is under 200 KB, loads nothing from another site and writes no markup from data") {
        const fs::path web = fs::path(LOBOS_SOURCE_DIR) / "share" / "web";
        const std::string svg_namespace = "http://www.w3.org/2000/svg";
        std::uintmax_t total = 0;
        int files = 0;
        for (const auto& entry : fs::directory_iterator(web)) {
            std::string text = slurp(entry.path());
            // The SVG namespace is a name, not an address anything is loaded from.
            for (std::size_t at; (at = text.find(svg_namespace)) != std::string::npos;)
                text.erase(at, svg_namespace.size());
            CAPTURE(entry.path().filename().string());
            total += fs::file_size(entry.path());
            ++files;
            // The cluster's machines have no internet: no CDN, no web font.
            CHECK(text.find("http://") == std::string::npos);
            CHECK(text.find("https://") == std::string::npos);
            CHECK(text.find("//cdn") == std::string::npos);
            // Values go in with textContent; these would parse them as HTML.
            CHECK(text.find("innerHTML") == std::string::npos);
            CHECK(text.find("outerHTML") == std::string::npos);
            CHECK(text.find("insertAdjacentHTML") == std::string::npos);
            CHECK(text.find("document.write") == std::string::npos);
        }
        CHECK(files >= 6);
        CHECK(total < 200 * 1000);
    }
}
