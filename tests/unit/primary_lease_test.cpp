#include "share/io/primary_lease.hpp"

#include <errno.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace lobos;
using namespace std::chrono_literals;

namespace {

const std::chrono::system_clock::time_point t0 = std::chrono::system_clock::from_time_t(1796556001);

}  // namespace

TEST_SUITE("primary lease") {
    TEST_CASE("one master holds the lease; another takes it with the next epoch once it is released") {
        test::ScratchDir dir("lease");
        PrimaryLease first(dir.path() / "lease", "master1", 3000ms);
        PrimaryLease second(dir.path() / "lease", "master2", 3000ms);
        auto claim = first.claim(t0);
        CHECK(claim.outcome == PrimaryLease::Outcome::held);
        CHECK(claim.epoch == 1);
        CHECK(second.claim(t0 + 1s).outcome == PrimaryLease::Outcome::taken_by_other);
        CHECK_FALSE(first.release());
        auto taken = second.claim(t0 + 1s);
        CHECK(taken.outcome == PrimaryLease::Outcome::held);
        CHECK(taken.epoch == 2);
        bool wrote = false;
        CHECK_FALSE(first.while_held(1, t0 + 1s, [&] { wrote = true; }));
        CHECK_FALSE(wrote);
        CHECK(second.while_held(2, t0 + 1s, [&] { wrote = true; }));
        CHECK(wrote);
    }

    TEST_CASE("a lease file that cannot be read is an io_error naming it, not an exception, and clears") {
        test::ScratchDir dir("lease-dir");
        const auto file = dir.path() / "lease";
        PrimaryLease lease(file, "master1", 3000ms);
        std::filesystem::create_directory(file);  // a path that is a directory: EISDIR on every read
        PrimaryLease::Claim claim = lease.claim(t0);
        CHECK(claim.outcome == PrimaryLease::Outcome::io_error);
        CHECK(claim.error.value() == EISDIR);
        CHECK(claim.error_text.find(file.string()) != std::string::npos);
        bool wrote = false;
        PrimaryLease::Write write = lease.while_held(1, t0, [&] { wrote = true; });
        CHECK_FALSE(write);
        CHECK_FALSE(wrote);
        REQUIRE(write.error);
        CHECK(write.error->code.value() == EISDIR);
        CHECK(lease.release());
        // The fault gone, the next heartbeat's claim succeeds.
        std::filesystem::remove(file);
        CHECK(lease.claim(t0 + 1s).outcome == PrimaryLease::Outcome::held);
    }

    TEST_CASE("a cluster root gone from under the lease is an io_error, and the lock file is opened again") {
        test::ScratchDir dir("lease-gone");
        const auto root = dir.path() / "root";
        std::filesystem::create_directory(root);
        PrimaryLease lease(root / "lease", "master1", 3000ms);
        REQUIRE(lease.claim(t0).outcome == PrimaryLease::Outcome::held);
        std::filesystem::remove_all(root);
        PrimaryLease::Claim claim = lease.claim(t0 + 1s);
        CHECK(claim.outcome == PrimaryLease::Outcome::io_error);
        CHECK(claim.error.value() == ENOENT);
        CHECK(lease.while_held(1, t0 + 1s, [] {}).error);
        std::filesystem::create_directory(root);
        CHECK(lease.claim(t0 + 2s).outcome == PrimaryLease::Outcome::held);
        CHECK(std::filesystem::exists(root / "lease.lock"));
        CHECK(lease.while_held(1, t0 + 2s, [] {}));
    }

    TEST_CASE("a lock file replaced under a master is locked again by name, so two masters still exclude") {
        test::ScratchDir dir("lease-lock");
        PrimaryLease first(dir.path() / "lease", "master1", 3000ms);
        std::filesystem::remove(dir.path() / "lease.lock");
        PrimaryLease second(dir.path() / "lease", "master2", 3000ms);  // creates a new lock file
        // While the second master writes under the lock, the first finds it busy.
        PrimaryLease::Claim inner;
        REQUIRE(second.claim(t0).outcome == PrimaryLease::Outcome::held);
        CHECK(second.while_held(1, t0, [&] { inner = first.claim(t0); }));
        CHECK(inner.outcome == PrimaryLease::Outcome::lock_busy);
    }

    TEST_CASE("a write under the lease that fails with a system error is returned as the error") {
        test::ScratchDir dir("lease-write");
        PrimaryLease lease(dir.path() / "lease", "master1", 3000ms);
        REQUIRE(lease.claim(t0).outcome == PrimaryLease::Outcome::held);
        PrimaryLease::Write write = lease.while_held(
            1, t0, [&] { write_file_atomically(dir.path() / "missing" / "node_status", "x"); });
        CHECK(write.ran);
        CHECK_FALSE(write);
        REQUIRE(write.error);
        CHECK(write.error->text() == "cannot create a temporary file to write " +
                                         (dir.path() / "missing" / "node_status").string() +
                                         ": No such file or directory");
        // The lock was let go: the next claim is not busy.
        CHECK(lease.claim(t0 + 1s).outcome == PrimaryLease::Outcome::held);
    }
}
