#include "lobosq/job/node_directory.hpp"

#include <string_view>

#include "share/formats/job_id.hpp"

namespace lobos {

std::map<std::string, JobFiles> job_files(const std::vector<std::string>& names) {
    std::map<std::string, JobFiles> jobs;
    for (const std::string& name : names) {
        if (name.starts_with('.')) continue;
        const std::string_view view(name);
        for (const auto& [suffix, flag] :
             {std::pair{start_suffix, &JobFiles::start}, std::pair{cancel_suffix, &JobFiles::cancel},
              std::pair{state_suffix, &JobFiles::state}}) {
            if (!view.ends_with(suffix)) continue;
            const std::string_view id = view.substr(0, view.size() - suffix.size());
            if (is_job_id(id)) jobs[std::string(id)].*flag = true;
        }
    }
    return jobs;
}

std::filesystem::path job_file(const std::filesystem::path& dir, const std::string& id,
                               std::string_view suffix) {
    return dir / (id + std::string(suffix));
}

}  // namespace lobos
