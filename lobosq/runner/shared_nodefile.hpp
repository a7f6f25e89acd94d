#pragma once
// Node list files (LOBOS_NODEFILE, ROOT/nodes/NAME/ID.nodes) shared by the
// jobs of one placement. Every job needs its file, but most jobs of a busy
// node have the same few placements ("n01\n" for every 1-CPU job), so a
// job's ID.nodes is a hard link to NODE_DIR/.nodefiles/hosts-..., made once
// and kept: a link makes no new file, and removing it frees none. On a
// file system that avoids reusing recently freed inodes (ext4 without a
// journal), each file made and removed slows down every file made after it
// for minutes. The runner removes shared files no job has used for a while.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lobos {

// NODE_DIR/.nodefiles: a dot-name, passed over by the runner and the daemon.
inline constexpr std::string_view shared_nodefiles_dir = ".nodefiles";

// Makes `path` hold `contents` (not synced, as the rest of a node's
// directory): a link to the shared file `shared_name`
// (shared_nodefile_name) of `node_dir`, written first if it is missing or
// does not hold `contents`; without a name, or when linking fails, a file of
// its own, written atomically. Throws std::system_error naming what failed.
void make_nodefile(const std::filesystem::path& node_dir, const std::filesystem::path& path,
                   const std::string& contents, const std::optional<std::string>& shared_name);

// Removes the shared files that no job links to (a link count of 1) and
// whose links have not changed for `unused`; how many it removed. Never
// throws: what it cannot read or remove stays.
int prune_shared_nodefiles(const std::filesystem::path& node_dir, std::chrono::seconds unused);

}  // namespace lobos
