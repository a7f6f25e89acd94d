#pragma once
// Where a job's CPUs are: the one interface between the queue (which job goes
// next) and placement (which CPUs it gets). The queue asks; a policy answers
// from the free CPUs of up nodes, or says the job does not fit now. The
// topology-aware scheduler replaces the policy behind this interface.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lobosq/job/job.hpp"
#include "share/formats/cpu_numbering.hpp"

namespace lobos {

struct PlacementRequest {
    int nprocs_low = 1;         // #NPROCS: at least this many CPUs
    int nprocs_high = 1;        // and as many as free up to this
    int tpip = 1;               // #TPIP: CPUs used on each node (the last node may have fewer)
    std::optional<int> nproc0;  // #NPROC0: this CPU must be NODE0's first

    bool operator==(const PlacementRequest&) const = default;
};

PlacementRequest placement_request(const JobDirectives& directives);

// What placement may choose from at this moment.
struct CpuAvailability {
    const std::vector<CpuSlot>* cpus = nullptr;  // number_cpus(config)
    std::vector<bool> free;                      // free[number - 1]: no job holds it
    std::set<std::string> up_nodes;              // compute nodes node_status shows up
};

// A placement policy: nullopt when the request cannot be met now.
using PlacementPolicy =
    std::function<std::optional<Placement>(const PlacementRequest&, const CpuAvailability&)>;

// The simple policy of this release: free CPUs of up nodes in number order,
// `tpip` on each node used (nodes with fewer free CPUs are skipped), as many
// as free up to nprocs_high; NPROC0's node first when given.
std::optional<Placement> place_first_fit(const PlacementRequest& request, const CpuAvailability& available);

}  // namespace lobos
