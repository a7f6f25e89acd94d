#include "lobosq/job/job_record.hpp"

#include "lobosq/job/job_json.hpp"

namespace lobos {

using namespace job_json;

std::string encode_job(const Job& job) {
    return dump(json{
        {"spec", to_json(job.spec)},
        {"state", to_string(job.state)},
        {"placement", job.placement ? to_json(*job.placement) : json(nullptr)},
        {"started", optional_time_value(job.started)},
        {"end", job.end ? to_json(*job.end) : json(nullptr)},
    });
}

std::optional<Job> decode_job(std::string_view text, std::string& error) {
    return decode(text, error, [](const json& document) {
        Job job;
        job.spec = read_spec(member(document, "spec", ""), "spec");
        const std::string state = text_at(document, "state", "");
        bool known = false;
        for (JobState s : {JobState::waiting, JobState::running, JobState::ended}) {
            if (state == to_string(s)) {
                job.state = s;
                known = true;
            }
        }
        if (!known) expected("state", "waiting, running or ended");
        if (const json* placement = optional_member(document, "placement"))
            job.placement = read_placement(*placement, "placement");
        job.started = optional_time_at(document, "started", "");
        if (const json* end = optional_member(document, "end")) job.end = read_end(*end, "end");
        return job;
    });
}

}  // namespace lobos
