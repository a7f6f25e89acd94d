#include "pulse/daemon/status_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <system_error>

#include "share/formats/node_detail.hpp"
#include "share/io/atomic_file.hpp"

namespace lobos {

std::int64_t wall_clock_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

void append_text(const std::filesystem::path& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
    // One write: O_APPEND keeps the lines whole even if someone else appends.
    ssize_t n = ::write(fd, text.data(), text.size());
    int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size()))
        throw std::system_error(err, std::generic_category(), "cannot append to " + path.string());
}

}  // namespace

StatusWriter::StatusWriter(std::filesystem::path root, std::optional<std::filesystem::path> audit_file)
    : node_status_(root / "node_status"),
      node_log_(root / "node.log"),
      detail_(root / "node_detail.json"),
      audit_(std::move(audit_file)) {}

void StatusWriter::audit(const std::string& writer, std::uint64_t epoch, std::int64_t start_ns,
                         std::int64_t end_ns) const {
    if (!audit_) return;
    try {
        append_text(*audit_, writer + " " + std::to_string(epoch) + " " + std::to_string(start_ns) + " " +
                                 std::to_string(end_ns) + "\n");
    } catch (...) {
        // An audit that cannot be written must not stop the status being written.
    }
}

FileResult<StagedFile> StatusWriter::stage_node_status(const NodeStatus& status) const {
    return StagedFile::stage(node_status_, format_node_status(status));
}

FileResult<StagedFile> StatusWriter::stage_detail(const std::vector<SharedNodeDetail>& nodes,
                                                  const std::vector<LinkState>& links,
                                                  const DropCounters& dropped, WallTime written,
                                                  const std::string& writer, std::uint64_t epoch,
                                                  std::optional<WallTime> listening_since) const {
    return StagedFile::stage(
        detail_, format_node_detail_snapshot(nodes, links, dropped, written, writer, epoch, listening_since));
}

void StatusWriter::append_log(const std::vector<std::string>& lines) const {
    if (lines.empty()) return;
    std::string text;
    for (const std::string& l : lines) text += l + "\n";
    append_text(node_log_, text);
}

std::optional<NodeStatus> StatusWriter::read_node_status(WallTime now) const {
    auto text = read_file_if_exists(node_status_);
    if (!text) return std::nullopt;
    return parse_node_status(*text, now).status;
}

}  // namespace lobos
