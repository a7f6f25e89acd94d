// The status cache against real files in a scratch directory: missing and
// broken files are reported and the last good copy kept; unchanged files are
// not read again; job.log is read as it grows.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "share/io/atomic_file.hpp"
#include "webstatus/server/status_cache.hpp"
#include "webstatus_test_cluster.hpp"

using namespace lobos;
using namespace lobos::web;
namespace fs = std::filesystem;

namespace {

struct ScratchRoot {
    fs::path path = fs::temp_directory_path() / ("lobos-webstatus-cache-" + std::to_string(::getpid()));
    ScratchRoot() {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~ScratchRoot() { fs::remove_all(path); }
};

const std::string job_detail_text =
    "{\"written\":1000,\"writer\":\"master1\",\"cluster_cpus\":4,\"free_cpus\":4,\"jobs\":[]}\n";

void append(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::app) << text; }

}  // namespace

TEST_SUITE("webstatus") {
    TEST_CASE("missing status files are reported by name and the cache keeps serving") {
        ScratchRoot root;
        ClusterPaths paths{root.path, root.path / "config"};
        StatusCache cache(paths,
                          std::make_shared<const ClusterView>(make_cluster_view(test::webstatus_cluster())),
                          std::chrono::milliseconds(0));
        auto s = cache.current();
        CHECK_FALSE(s->node_status);
        CHECK(s->node_status_file.problem == "missing");
        CHECK(s->job_detail_file.problem == "missing");
        CHECK(s->job_log_file.problem.empty());  // no job.log before the first job is normal
        CHECK(freshness(*s, std::chrono::system_clock::now()).stale);
    }

    TEST_CASE("a status file that stops parsing keeps its last good copy and says what is wrong") {
        ScratchRoot root;
        ClusterPaths paths{root.path, root.path / "config"};
        write_file_atomically(paths.job_detail(), job_detail_text);
        write_file_atomically(paths.node_status(), "# Node status file\nnode 10:00:00 n01 1\n");
        StatusCache cache(paths,
                          std::make_shared<const ClusterView>(make_cluster_view(test::webstatus_cluster())),
                          std::chrono::milliseconds(0));
        auto good = cache.current();
        REQUIRE(good->job_detail);
        CHECK(good->job_detail->cluster_cpus == 4);
        CHECK(good->job_detail_file.problem.empty());
        REQUIRE(good->node_status);
        CHECK(good->node_status->nodes.size() == 1);

        write_file_atomically(paths.job_detail(), "{\"written\": 1000, \"jobs\": [");
        write_file_atomically(paths.node_status(), "garbage\n");
        auto broken = cache.current();
        CHECK(broken->generation > good->generation);
        REQUIRE(broken->job_detail);
        CHECK(broken->job_detail->cluster_cpus == 4);
        CHECK(broken->job_detail_file.problem.find("does not parse") != std::string::npos);
        CHECK(broken->job_detail_file.problem.find("showing the copy read before") != std::string::npos);
        CHECK(broken->node_status_file.problem.find("no node or link lines") != std::string::npos);
        REQUIRE(broken->node_status);

        fs::remove(paths.job_detail());
        auto gone = cache.current();
        CHECK(gone->job_detail_file.problem == "missing (showing the copy read before)");
        CHECK_FALSE(gone->job_detail_file.present);
    }

    TEST_CASE("an unchanged file is not read again: the snapshot stays the same one") {
        ScratchRoot root;
        ClusterPaths paths{root.path, root.path / "config"};
        write_file_atomically(paths.job_detail(), job_detail_text);
        StatusCache cache(paths,
                          std::make_shared<const ClusterView>(make_cluster_view(test::webstatus_cluster())),
                          std::chrono::milliseconds(0));
        auto first = cache.current();
        auto second = cache.current();
        CHECK(first == second);
        write_file_atomically(paths.job_detail(), job_detail_text);  // same text, new file: read again
        CHECK(cache.current()->generation == first->generation + 1);
    }

    TEST_CASE("job.log is read as it grows, a line at a time once it is whole") {
        ScratchRoot root;
        ClusterPaths paths{root.path, root.path / "config"};
        StatusCache cache(paths,
                          std::make_shared<const ClusterView>(make_cluster_view(test::webstatus_cluster())),
                          std::chrono::milliseconds(0));
        append(paths.job_log(),
               "2026-11-23 10:00:00.000 h.261123100000 submitted by h (uid 5): 1 CPUs, TPIP 1, "
               "ETIME 1, in /w\n2026-11-23 10:00:01.000 h.261123100000 ended: exit");
        auto s = cache.current();
        REQUIRE(s->job_log);
        REQUIRE(s->job_log->find("h.261123100000"));
        CHECK_FALSE(s->job_log->find("h.261123100000")->finished);
        append(paths.job_log(), " 0 after 0:00:01\n");
        s = cache.current();
        CHECK(s->job_log->find("h.261123100000")->finished);
        CHECK(s->job_log->find("h.261123100000")->events.size() == 2);
    }
}
