#include "lobosq/runner/shared_nodefile.hpp"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <system_error>

#include "share/io/atomic_file.hpp"

namespace lobos {

namespace fs = std::filesystem;

void make_nodefile(const fs::path& node_dir, const fs::path& path, const std::string& contents,
                   const std::optional<std::string>& shared_name) {
    if (shared_name) {
        const fs::path dir = node_dir / shared_nodefiles_dir;
        const fs::path shared = dir / *shared_name;
        // A few tries: the runner may prune the shared file between the
        // check and the link, and a left-over ID.nodes is replaced.
        for (int attempt = 0; attempt < 3; ++attempt) {
            std::optional<std::string> held;
            try {
                held = read_file_if_exists(shared);
            } catch (const std::exception&) {
                break;  // unreadable: this job gets a file of its own
            }
            if (held != contents) {
                std::error_code ec;
                fs::create_directory(dir, ec);
                // Whole or not at all for a job linking it at the same moment.
                write_file_atomically(shared, contents, 0666, Durability::unsynced);
            }
            if (::link(shared.c_str(), path.c_str()) == 0) return;
            if (errno == EEXIST)
                ::unlink(path.c_str());  // a previous attempt's: it may not hold these contents
            else if (errno != ENOENT)
                break;  // no hard links here (some file systems): a file of its own
        }
    }
    write_file_atomically(path, contents, 0666, Durability::unsynced);
}

int prune_shared_nodefiles(const fs::path& node_dir, std::chrono::seconds unused) {
    int removed = 0;
    std::error_code ec;
    const std::time_t now = std::time(nullptr);
    for (const fs::directory_entry& entry : fs::directory_iterator(node_dir / shared_nodefiles_dir, ec)) {
        struct stat st {};
        if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        // ctime moves with every link and unlink: a file with no job now
        // and none for `unused` is not expected back soon.
        if (st.st_nlink == 1 && now - st.st_ctim.tv_sec > unused.count() &&
            ::unlink(entry.path().c_str()) == 0)
            ++removed;
    }
    return removed;
}

}  // namespace lobos
