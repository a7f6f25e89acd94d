#include "share/io/atomic_file.hpp"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/scratch_dir.hpp"

using namespace lobos;

namespace {

std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_SUITE("atomic file") {
    TEST_CASE("a temporary name is a dot-file beside its target carrying the host, the pid and a counter") {
        char host[256] = {};
        REQUIRE(::gethostname(host, sizeof host - 1) == 0);
        std::string expected_host(host, std::min<std::size_t>(std::string_view(host).size(), 64));
        std::replace(expected_host.begin(), expected_host.end(), '.', '_');
        const std::filesystem::path first = temporary_path_for("/lobos/node_status");
        const std::filesystem::path second = temporary_path_for("/lobos/node_status");
        CHECK(first.parent_path() == "/lobos");
        const std::string prefix =
            ".node_status.tmp." + expected_host + "." + std::to_string(::getpid()) + ".";
        CHECK(first.filename().string().starts_with(prefix));
        CHECK(second.filename().string().starts_with(prefix));
        CHECK(first != second);
    }

    TEST_CASE("an atomic write creates the file with exactly the contents") {
        test::ScratchDir dir("atomic-create");
        std::filesystem::path file = dir.path() / "node_status";
        write_file_atomically(file, "# Node status file\n");
        CHECK(read_file_if_exists(file) == "# Node status file\n");
        CHECK(names_in(dir.path()) == std::vector<std::string>{"node_status"});
    }

    TEST_CASE("an atomic write replaces the contents and leaves no temporary file behind") {
        test::ScratchDir dir("atomic-replace");
        std::filesystem::path file = dir.path() / "job_status";
        write_file_atomically(file, std::string(10000, 'a'));
        write_file_atomically(file, "short");
        CHECK(read_file_if_exists(file) == "short");
        write_file_atomically(file, "");
        CHECK(read_file_if_exists(file) == "");
        CHECK(names_in(dir.path()) == std::vector<std::string>{"job_status"});
    }

    TEST_CASE("contents with NUL bytes and of many blocks are written whole") {
        test::ScratchDir dir("atomic-binary");
        std::filesystem::path file = dir.path() / "data";
        std::string contents;
        for (int i = 0; i < 300000; ++i) contents += static_cast<char>(i % 256);
        write_file_atomically(file, contents);
        CHECK(read_file_if_exists(file) == contents);
    }

    TEST_CASE("reading a file that does not exist gives nothing, not an error") {
        test::ScratchDir dir("atomic-missing");
        CHECK_FALSE(read_file_if_exists(dir.path() / "node_status").has_value());
    }

    TEST_CASE("reading a directory throws an error naming it") {
        test::ScratchDir dir("atomic-read-dir");
        try {
            read_file_if_exists(dir.path());
            FAIL("no exception");
        } catch (const std::system_error& error) {
            CHECK(std::string(error.what()).find(dir.path().string()) != std::string::npos);
        }
    }

    TEST_CASE("a write into a missing directory throws an error naming the file") {
        test::ScratchDir dir("atomic-no-dir");
        std::filesystem::path file = dir.path() / "missing" / "node_status";
        try {
            write_file_atomically(file, "x");
            FAIL("no exception");
        } catch (const std::system_error& error) {
            CHECK(error.code() == std::errc::no_such_file_or_directory);
            CHECK(std::string(error.what()).find(file.string()) != std::string::npos);
        }
    }

    TEST_CASE("a write that cannot replace its target throws and removes the temporary file") {
        test::ScratchDir dir("atomic-fail");
        // rename() cannot put a file over a non-empty directory.
        std::filesystem::path target = dir.path() / "node_status";
        std::filesystem::create_directories(target / "inside");
        CHECK_THROWS_AS(write_file_atomically(target, "contents"), std::system_error);
        CHECK(names_in(dir.path()) == std::vector<std::string>{"node_status"});
        CHECK(std::filesystem::is_directory(target));
    }

    TEST_CASE("a reader never sees a partial file while a writer rewrites it") {
        test::ScratchDir dir("atomic-concurrent");
        std::filesystem::path file = dir.path() / "node_status";
        const std::string small(100, 's');
        const std::string large(50000, 'L');
        write_file_atomically(file, small);

        std::atomic<bool> done{false};
        std::thread writer([&] {
            for (int i = 0; i < 2000; ++i) write_file_atomically(file, i % 2 ? small : large);
            done = true;
        });
        int reads = 0, small_seen = 0, large_seen = 0, other_seen = 0;
        // Bounded, so a writer that dies cannot hang the test.
        for (; reads < 2'000'000 && !done; ++reads) {
            std::optional<std::string> contents = read_file_if_exists(file);
            if (contents == small)
                ++small_seen;
            else if (contents == large)
                ++large_seen;
            else
                ++other_seen;
        }
        writer.join();
        MESSAGE(reads << " reads: " << small_seen << " short, " << large_seen << " long");
        CHECK(other_seen == 0);
        CHECK(small_seen + large_seen == reads);
        CHECK(names_in(dir.path()) == std::vector<std::string>{"node_status"});
    }

    TEST_CASE("the non-throwing write gives the error as a value naming the file") {
        test::ScratchDir dir("atomic-value");
        const auto file = dir.path() / "missing" / "node_status";
        FileResult<Done> written = try_write_file_atomically(file, "x");
        REQUIRE_FALSE(written.ok());
        CHECK(written.error().code.value() == ENOENT);
        CHECK(written.error().text().find(file.string()) != std::string::npos);
        // The directory back, the same call succeeds: nothing was left broken.
        std::filesystem::create_directory(dir.path() / "missing");
        CHECK(try_write_file_atomically(file, "x").ok());
        CHECK(read_file_if_exists(file) == "x");
    }

    TEST_CASE("the non-throwing write over a directory fails and leaves no temporary file") {
        test::ScratchDir dir("atomic-value-dir");
        std::filesystem::create_directory(dir.path() / "node_status");
        FileResult<Done> written = try_write_file_atomically(dir.path() / "node_status", "x");
        REQUIRE_FALSE(written.ok());
        CHECK(written.error().action == "cannot replace " + (dir.path() / "node_status").string());
        CHECK(names_in(dir.path()) == std::vector<std::string>{"node_status"});
    }

    TEST_CASE("the non-throwing read gives nothing for a missing file and an error for a directory") {
        test::ScratchDir dir("atomic-value-read");
        auto missing = try_read_file_if_exists(dir.path() / "none");
        REQUIRE(missing.ok());
        CHECK_FALSE(missing->has_value());
        auto directory = try_read_file_if_exists(dir.path());
        REQUIRE_FALSE(directory.ok());
        CHECK(directory.error().code.value() == EISDIR);
        write_file_atomically(dir.path() / "f", "text");
        auto file = try_read_file_if_exists(dir.path() / "f");
        REQUIRE(file.ok());
        CHECK(**file == "text");
    }

    TEST_CASE("a staged file that cannot be made is an error value, and the throwing form says the same") {
        test::ScratchDir dir("atomic-staged");
        const auto target = dir.path() / "no-such-dir" / "lease";
        auto staged = StagedFile::stage(target, "x");
        REQUIRE_FALSE(staged.ok());
        try {
            StagedFile thrown(target, "x");
            FAIL("no exception");
        } catch (const std::system_error& e) {
            CHECK(std::string(e.what()) == staged.error().text());
        }
    }
}
