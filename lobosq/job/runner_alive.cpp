#include "lobosq/job/runner_alive.hpp"

#include "lobosq/job/job_json.hpp"

namespace lobos {

using namespace job_json;

std::string encode_runner_alive(const RunnerAlive& alive) {
    json jobs = json::array();
    for (const std::string& id : alive.jobs) jobs.push_back(text_value(id));
    return dump(json{{"written", time_value(alive.written)}, {"jobs", std::move(jobs)}});
}

std::optional<RunnerAlive> decode_runner_alive(std::string_view text, std::string& error) {
    return decode(text, error, [](const json& document) {
        RunnerAlive alive;
        alive.written = time_at(document, "written", "");
        const json& jobs = array_at(document, "jobs", "");
        for (std::size_t i = 0; i < jobs.size(); ++i)
            alive.jobs.push_back(text_of(jobs[i], element_path("jobs", i)));
        return alive;
    });
}

}  // namespace lobos
