#pragma once
// The page's files (share/web), compiled into webstatus by the build
// (embed_web_assets.cmake), so the server finds them wherever it runs and
// never reads a file named by a request.

#include <string_view>

namespace lobos::web {

struct WebAsset {
    std::string_view name;  // "app.js"
    std::string_view content_type;
    std::string_view body;
};

// nullptr for a name share/web has no file of.
const WebAsset* find_web_asset(std::string_view name);

}  // namespace lobos::web
