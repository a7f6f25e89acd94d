#pragma once
// A directory's entries, read whole, with an error as a value: a range-for
// over std::filesystem::directory_iterator throws when a step fails (a stale
// handle on NFS, EIO), and no I/O error may end the queue daemon.

#include <filesystem>
#include <system_error>
#include <vector>

namespace lobos {

// The entries read before an error, and `ec` set to it (cleared otherwise).
inline std::vector<std::filesystem::directory_entry> directory_entries(const std::filesystem::path& dir,
                                                                       std::error_code& ec) {
    std::vector<std::filesystem::directory_entry> entries;
    std::filesystem::directory_iterator it(dir, ec);
    for (const std::filesystem::directory_iterator end; !ec && it != end; it.increment(ec))
        entries.push_back(*it);
    return entries;
}

}  // namespace lobos
