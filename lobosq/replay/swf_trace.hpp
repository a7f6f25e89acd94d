#pragma once
// A workload in the Standard Workload Format of the Parallel Workloads
// Archive (Feitelson): one job a line, 18 whitespace-separated numbers, -1
// where a value is unknown; lines starting with `;` are the header. Only
// the text is read here (the replay tool opens the file, gzip or not), so
// the parser is pure and its errors are values naming line and field.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lobos {

inline constexpr int swf_fields = 18;

// One job line. Times are seconds; counts are processors. nullopt is -1
// (unknown). Fields 14-18 (executable, queue, partition, preceding job,
// think time) are checked but not kept: the replay does not use them.
struct SwfJob {
    int line = 0;                             // 1-based line of the text it came from
    long long number = 0;                     // field 1, job number
    long long submit = 0;                     // field 2, submit time (from the trace's start)
    std::optional<long long> wait;            // field 3
    std::optional<long long> run_time;        // field 4
    std::optional<int> allocated;             // field 5, allocated processors
    std::optional<double> cpu_time;           // field 6, average CPU time used (may be fractional)
    std::optional<double> memory;             // field 7, used memory, KB a processor
    std::optional<int> requested;             // field 8, requested processors
    std::optional<long long> requested_time;  // field 9
    std::optional<long long> status;          // field 11: 1 completed, 0 failed, 5 cancelled
    std::optional<long long> user;            // field 12
    std::optional<long long> group;           // field 13

    // Allocated processors, else requested ones; nullopt when both are unknown.
    std::optional<int> processors() const { return allocated ? allocated : requested; }

    bool operator==(const SwfJob&) const = default;
};

struct SwfError {
    int line = 0;   // 1-based
    int field = 0;  // 1-based; 0 when the line as a whole is wrong (too few or too many fields)
    std::string value;
    std::string reason;
};

struct SwfRead {
    std::vector<SwfJob> jobs;      // in file order
    std::vector<SwfError> errors;  // every bad line, in line order; its job is left out
    // Header lines of the form "; Key: value" (MaxProcs, UnixStartTime, Note...),
    // in file order; a key may come more than once (Note, Queue).
    std::vector<std::pair<std::string, std::string>> header;

    bool ok() const { return errors.empty(); }
};

// The name of an SWF field, 1-based: "run time" for 4.
std::string_view swf_field_name(int field);

SwfRead parse_swf(std::string_view text);

// "line 7: field 4 (run time) 'x1': not a number"
std::string to_string(const SwfError& error);

}  // namespace lobos
