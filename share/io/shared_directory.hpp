#pragma once
// Directories on the cluster root that daemons of several hosts make at the
// same moment (the spool, the queue's, each node's), made by one host at a
// time. GlusterFS makes a directory in steps, not atomically: two clients
// making the same one at once can leave it with no handle on the brick, and
// then every host's use of it fails (ENOENT, ESTALE) until someone repairs
// it by hand. Measured on the multi-host test bed: in about one bring-up in
// ten, both masters' lobosqd and node1's runner made ROOT/nodes/node1 within
// 10 ms; two of the three got EEXIST, and no host could write in it again.

#include <filesystem>
#include <system_error>

namespace lobos {

// As std::filesystem::create_directories(dir, ec), holding an exclusive
// flock on `lock_file` meanwhile: a file every host has before any daemon
// starts (the configuration's nodes file), so no creation races for it.
// When it cannot be opened or locked within about two seconds (a host that
// froze holding it), the directories are made without the lock.
bool make_shared_directories(const std::filesystem::path& dir, const std::filesystem::path& lock_file,
                             std::error_code& ec);

}  // namespace lobos
