#pragma once
// The JSON of the job types, in one place for every file that carries a job:
// the queue's records (job_record), the orders between the queue daemon and
// a node's runner (node_orders) and job_detail.json. The field readers and
// conventions are share/formats/json_fields.hpp; this adds the job types.

#include <string>

#include "lobosq/job/job.hpp"
#include "share/formats/json_fields.hpp"

namespace lobos::job_json {

using namespace json_fields;

json to_json(const JobDirectives& directives);
json to_json(const JobSpec& spec);
json to_json(const Placement& placement);
json to_json(const JobEnd& end);

JobDirectives read_directives(const json& value, const std::string& where);
JobSpec read_spec(const json& value, const std::string& where);
Placement read_placement(const json& value, const std::string& where);
JobEnd read_end(const json& value, const std::string& where);

}  // namespace lobos::job_json
