// Directories that several hosts may make at once, made under a lock.

#include "share/io/shared_directory.hpp"

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace lobos;
using namespace lobos::test;
namespace fs = std::filesystem;

TEST_SUITE("shared directories") {
    TEST_CASE("a directory and its missing parents are made once, and making it again changes nothing") {
        ScratchDir scratch("shared-dir");
        const fs::path lock = scratch.path() / "nodes";
        write_file_atomically(lock, "1 10.0.0.1 node1\n");
        const fs::path dir = scratch.path() / "nodes.d" / "node1";
        std::error_code ec;
        CHECK(make_shared_directories(dir, lock, ec));
        CHECK_FALSE(ec);
        CHECK(fs::is_directory(dir));
        CHECK_FALSE(make_shared_directories(dir, lock, ec));
        CHECK_FALSE(ec);
        CHECK(read_file_if_exists(lock) == "1 10.0.0.1 node1\n");  // only locked, never written
    }

    TEST_CASE("without its lock file the directory is still made") {
        ScratchDir scratch("shared-dir");
        std::error_code ec;
        CHECK(make_shared_directories(scratch.path() / "spool", scratch.path() / "missing", ec));
        CHECK_FALSE(ec);
        CHECK(fs::is_directory(scratch.path() / "spool"));
    }

    TEST_CASE("a file where the directory should be is an error, as create_directories says") {
        ScratchDir scratch("shared-dir");
        write_file_atomically(scratch.path() / "queue", "");
        std::error_code ec;
        CHECK_FALSE(make_shared_directories(scratch.path() / "queue", scratch.path() / "queue", ec));
        CHECK(ec);
    }
}
