#pragma once
// The heartbeat key file (pulse.conf's KeyFile): one line of hex, at least
// 64 hex digits (32 bytes), lower or upper case, with an optional trailing
// newline, so an operator can copy it between hosts. It must not be
// accessible to others (mode & 0007 == 0); group access is left to the site,
// which may share the file with an operators' group. The I/O edge of the key.

#include <filesystem>

#include "pulse/heartbeat/heartbeat_key.hpp"

namespace lobos {

// Reads a key file. Throws std::runtime_error naming the path when the file
// does not exist, cannot be read, is not a regular file, is accessible to
// others, is empty, is not one line of hex, or holds fewer than
// min_heartbeat_key_bytes bytes.
HeartbeatKey load_heartbeat_key(const std::filesystem::path& path);

// Writes a new random key (32 bytes from libsodium's randombytes_buf, that is
// the kernel's generator) to `path` with mode 0600. The file appears whole or
// not at all: the key is written and synced to a temporary file in the same
// directory, which is then
// linked into place. Throws std::runtime_error naming the path if a file
// already exists there (a key is never overwritten: every host must hold the
// same one) or the file cannot be written.
void write_new_heartbeat_key(const std::filesystem::path& path);

}  // namespace lobos
