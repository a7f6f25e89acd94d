#include "webstatus/content/job_page.hpp"

#include "webstatus/content/html_escape.hpp"

namespace lobos::web {

std::string job_page(std::string_view page, std::string_view id) {
    constexpr std::string_view placeholder = "{{JOB_ID}}";
    const std::string escaped = html_escape(id);
    std::string out;
    out.reserve(page.size() + 64);
    while (true) {
        const std::size_t at = page.find(placeholder);
        out += page.substr(0, at);
        if (at == std::string_view::npos) break;
        out += escaped;
        page.remove_prefix(at + placeholder.size());
    }
    return out;
}

}  // namespace lobos::web
