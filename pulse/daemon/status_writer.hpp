#pragma once
// The primary master's files in the cluster root: node_status and
// node_detail.json replaced atomically, node.log appended a line per change.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pulse/health/cluster_health.hpp"
#include "share/formats/log_line.hpp"
#include "share/formats/node_detail.hpp"
#include "share/formats/node_status.hpp"
#include "share/io/atomic_file.hpp"

namespace lobos {

class StatusWriter {
public:
    StatusWriter(std::filesystem::path root, std::optional<std::filesystem::path> audit_file = std::nullopt);

    // With an audit file, appends `WRITER EPOCH START_NS END_NS` for one
    // status write. The times are taken under the lease lock, around the
    // renames; the line is appended after the lock is released, so that the
    // lock is held for nothing but the renames.
    void audit(const std::string& writer, std::uint64_t epoch, std::int64_t start_ns,
               std::int64_t end_ns) const;

    // Status files are staged (written and synced) first and published (renamed
    // into place) under the lease lock, which is so held only for renames.
    // Errors are values: the primary logs them and tries again at its next heartbeat.
    FileResult<StagedFile> stage_node_status(const NodeStatus& status) const;
    // node_detail.json from a snapshot whose reports are shared (for the detail writer thread).
    FileResult<StagedFile> stage_detail(const std::vector<SharedNodeDetail>& nodes,
                                        const std::vector<LinkState>& links, const DropCounters& dropped,
                                        WallTime written, const std::string& writer, std::uint64_t epoch,
                                        std::optional<WallTime> listening_since) const;
    void append_log(const std::vector<std::string>& lines) const;
    std::optional<NodeStatus> read_node_status(WallTime now) const;

    const std::filesystem::path& node_status_path() const { return node_status_; }
    const std::filesystem::path& detail_path() const { return detail_; }

private:
    std::filesystem::path node_status_;
    std::filesystem::path node_log_;
    std::filesystem::path detail_;
    std::optional<std::filesystem::path> audit_;
};

// Nanoseconds since the epoch, for audit records.
std::int64_t wall_clock_ns();

}  // namespace lobos
