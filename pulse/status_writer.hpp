#pragma once
// The primary master's files in the cluster root: node_status and
// node_detail.json replaced atomically, node.log appended a line per change.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pulse/cluster_health.hpp"
#include "share/atomic_file.hpp"
#include "share/node_status.hpp"

namespace lobos {

class StatusWriter {
public:
    StatusWriter(std::filesystem::path root, std::optional<std::filesystem::path> audit_file = std::nullopt);

    // Brackets one status write; with an audit file, appends
    // `WRITER EPOCH START_NS END_NS` when the write is done.
    class AuditedWrite {
    public:
        AuditedWrite(const StatusWriter& writer, std::string name, std::uint64_t epoch);
        ~AuditedWrite();
        AuditedWrite(const AuditedWrite&) = delete;
        AuditedWrite& operator=(const AuditedWrite&) = delete;

    private:
        const StatusWriter& writer_;
        std::string name_;
        std::uint64_t epoch_;
        std::int64_t start_ns_;
    };

    // Status files are staged (written and synced) first and published (renamed
    // into place) under the lease lock, which is so held only for renames.
    StagedFile stage_node_status(const NodeStatus& status) const;
    StagedFile stage_detail(const std::vector<NodeDetail>& nodes, const std::vector<LinkState>& links,
                            const DropCounters& dropped, WallTime written, const std::string& writer,
                            std::uint64_t epoch) const;
    void append_log(const std::vector<std::string>& lines) const;
    std::optional<NodeStatus> read_node_status(WallTime now) const;

    const std::filesystem::path& node_status_path() const { return node_status_; }

private:
    std::filesystem::path node_status_;
    std::filesystem::path node_log_;
    std::filesystem::path detail_;
    std::optional<std::filesystem::path> audit_;
};

// "2026-11-23 20:10:01.123 n05 down: not heard for 2.0 s (NodeTimeOut 2)"
std::string log_line(WallTime at, const std::string& text);

}  // namespace lobos
