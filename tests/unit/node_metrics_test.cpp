#include "pulse/daemon/node_metrics.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <doctest/doctest.h>

#include "tests/support/scratch_dir.hpp"

using namespace lobos;

namespace {

// /proc/stat of a 4-CPU machine, as Linux 6.1 writes it.
constexpr const char* proc_stat_text =
    "cpu  42165 10 7096 320018 914 0 205 39 0 0\n"
    "cpu0 18001 5 2956 164128 72 0 33 18 0 0\n"
    "cpu1 24163 5 4140 155889 841 0 171 21 0 0\n"
    "cpu2 100 0 50 1000 10 3 2 1 7 0\n"
    "cpu3 0 0 0 0 0 0 0 0 0 0\n"
    "intr 561574 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 14 0 0\n"
    "ctxt 987827\n"
    "btime 1700000000\n"
    "processes 21711\n"
    "procs_running 1\n"
    "procs_blocked 0\n"
    "softirq 344069 0 52186 4 21577 0 0 53 143389 0 126860\n";

constexpr const char* meminfo_text =
    "MemTotal:       24683656 kB\n"
    "MemFree:        23580176 kB\n"
    "MemAvailable:   24135772 kB\n"
    "Buffers:           42120 kB\n"
    "Cached:           806152 kB\n"
    "SwapTotal:             0 kB\n"
    "HugePages_Total:       0\n"
    "Hugepagesize:       2048 kB\n";

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string cpu_line(int cpu, std::uint64_t busy, std::uint64_t idle) {
    return "cpu" + std::to_string(cpu) + " " + std::to_string(busy) + " 0 0 " + std::to_string(idle) +
           " 0 0 0 0 0 0\n";
}

}  // namespace

TEST_SUITE("node metrics") {
    TEST_CASE("the per-CPU lines of /proc/stat give busy and total ticks of each CPU") {
        std::map<int, CpuTimes> cpus = parse_proc_stat(proc_stat_text);
        REQUIRE(cpus.size() == 4);
        // busy = user + nice + system + irq + softirq + steal; total adds idle and iowait.
        CHECK(cpus[0] == CpuTimes{18001 + 5 + 2956 + 0 + 33 + 18, 18001 + 5 + 2956 + 33 + 18 + 164128 + 72});
        CHECK(cpus[1] == CpuTimes{24163 + 5 + 4140 + 171 + 21, 24163 + 5 + 4140 + 171 + 21 + 155889 + 841});
        // guest time is already in user: it is not counted twice.
        CHECK(cpus[2] == CpuTimes{100 + 50 + 3 + 2 + 1, 100 + 50 + 3 + 2 + 1 + 1000 + 10});
        CHECK(cpus[3] == CpuTimes{0, 0});
    }

    TEST_CASE("missing trailing columns of an old kernel's /proc/stat count as zero") {
        std::map<int, CpuTimes> cpus = parse_proc_stat("cpu 10 0 5 100\ncpu0 10 0 5 100\ncpu1 4 1 2 50 3\n");
        REQUIRE(cpus.size() == 2);
        CHECK(cpus[0] == CpuTimes{15, 115});
        CHECK(cpus[1] == CpuTimes{7, 60});
    }

    TEST_CASE("a malformed cpu line is left out and the others still count") {
        std::map<int, CpuTimes> cpus = parse_proc_stat(
            "cpu0 1 2 x 4\n"
            "cpux 1 2 3 4\n"
            "cpu-1 1 2 3 4\n"
            "cpu99999999999 1 2 3 4\n"
            "cpu2 -5 0 0 10\n"
            "cpu3 99999999999999999999999 0 0 10\n"
            "\n\n   \r\n"
            "cpu1 1 0 1 8\r\n"
            "cpu4");
        REQUIRE(cpus.size() == 2);
        CHECK(cpus[1] == CpuTimes{2, 10});
        CHECK(cpus[4] == CpuTimes{0, 0});
        CHECK(parse_proc_stat("").empty());
        CHECK(parse_proc_stat("garbage\0text").empty());
    }

    TEST_CASE("utilisation is the busy share of the ticks elapsed between two samples") {
        std::map<int, CpuTimes> before{{0, {100, 1000}}, {1, {500, 1000}}};
        std::map<int, CpuTimes> after{{0, {150, 1100}}, {1, {600, 1100}}};
        std::vector<CpuSample> samples = cpu_utilisation(before, after, {0, 1});
        REQUIRE(samples.size() == 2);
        CHECK(samples[0].utilisation == doctest::Approx(0.5));
        CHECK(samples[0].online);
        CHECK(samples[1].utilisation == doctest::Approx(1.0));
        CHECK(samples[1].online);
    }

    TEST_CASE("utilisation is zero when no ticks elapsed, a sample lacks the CPU, or counters went back") {
        std::map<int, CpuTimes> before{{0, {100, 1000}}, {2, {900, 2000}}};
        std::map<int, CpuTimes> after{{0, {100, 1000}}, {1, {50, 100}}, {2, {10, 20}}, {3, {5, 5}}};
        std::vector<CpuSample> samples = cpu_utilisation(before, after, {0, 1, 2, 3, 4});
        REQUIRE(samples.size() == 5);
        for (const CpuSample& sample : samples) {
            CHECK(sample.online);
            CHECK(sample.utilisation == 0.0f);
        }
    }

    TEST_CASE("an offline CPU absent from /proc/stat keeps its place and is listed offline") {
        std::map<int, CpuTimes> before{{0, {0, 100}}, {2, {0, 100}}};
        std::map<int, CpuTimes> after{{0, {25, 200}}, {2, {100, 200}}};
        std::vector<CpuSample> samples = cpu_utilisation(before, after, {0, 2}, 4);
        REQUIRE(samples.size() == 4);
        CHECK(samples[0] == CpuSample{0.25f, true});
        CHECK(samples[1] == CpuSample{0.0f, false});
        CHECK(samples[2] == CpuSample{1.0f, true});
        CHECK(samples[3] == CpuSample{0.0f, false});
    }

    TEST_CASE("without an online list the CPUs in /proc/stat count as online") {
        std::map<int, CpuTimes> before{{0, {0, 100}}, {1, {0, 100}}};
        std::map<int, CpuTimes> after{{0, {10, 200}}, {1, {20, 200}}};
        std::vector<CpuSample> samples = cpu_utilisation(before, after, {});
        REQUIRE(samples.size() == 2);
        CHECK(samples[0] == CpuSample{0.1f, true});
        CHECK(samples[1] == CpuSample{0.2f, true});
        CHECK(cpu_utilisation({}, {}, {}).empty());
    }

    TEST_CASE("a kernel cpu list gives every CPU of its ranges and single numbers") {
        CHECK(parse_cpu_list("0-3,5,7-8") == std::set<int>{0, 1, 2, 3, 5, 7, 8});
        CHECK(parse_cpu_list("0-3,5") == std::set<int>{0, 1, 2, 3, 5});
        CHECK(parse_cpu_list("0") == std::set<int>{0});
        CHECK(parse_cpu_list("0-1\n") == std::set<int>{0, 1});
        CHECK(parse_cpu_list("4-4") == std::set<int>{4});
        CHECK(parse_cpu_list("").empty());
        CHECK(parse_cpu_list("\n").empty());
    }

    TEST_CASE("a malformed cpu list gives an empty set") {
        for (const char* text :
             {"3-1", "a", "0-", "-3", ",", "1,,2", "0-3,x", "0-99999999", "1 2", "0-3-5"}) {
            CAPTURE(text);
            CHECK(parse_cpu_list(text).empty());
        }
    }

    TEST_CASE("the load average is the first field of /proc/loadavg") {
        CHECK(parse_loadavg("0.30 0.47 0.34 3/94 21710\n") == doctest::Approx(0.30));
        CHECK(parse_loadavg("12.75 1.00 1.00 1/1 1") == doctest::Approx(12.75));
        CHECK(parse_loadavg("0.00 0.00 0.00 1/80 5\n") == 0.0f);
    }

    TEST_CASE("a malformed load average is zero") {
        for (const char* text : {"", "\n", "abc 1 2", "1.5x 0 0", "-1.0 0 0", "nan 0 0", "inf 0 0"}) {
            CAPTURE(text);
            CHECK(parse_loadavg(text) == 0.0f);
        }
    }

    TEST_CASE("meminfo gives MemAvailable and MemTotal in bytes") {
        MemoryInfo info = parse_meminfo(meminfo_text);
        CHECK(info.available_bytes == 24135772ull * 1024);
        CHECK(info.total_bytes == 24683656ull * 1024);
    }

    TEST_CASE("meminfo of a kernel without MemAvailable reports MemFree as available") {
        MemoryInfo info = parse_meminfo("MemTotal: 1000 kB\nMemFree: 250 kB\nBuffers: 10 kB\n");
        CHECK(info.available_bytes == 250 * 1024);
        CHECK(info.total_bytes == 1000 * 1024);
    }

    TEST_CASE("malformed or missing meminfo values are zero") {
        CHECK(parse_meminfo("") == MemoryInfo{0, 0});
        CHECK(parse_meminfo("MemTotal: lots kB\nMemAvailable: 12 kB\n") == MemoryInfo{12 * 1024, 0});
        CHECK(parse_meminfo("MemTotal:\nMemAvailable:") == MemoryInfo{0, 0});
        // Too large to be bytes in 64 bits.
        CHECK(parse_meminfo("MemTotal: 18446744073709551615 kB\n") == MemoryInfo{0, 0});
        CHECK(parse_meminfo("MemTotal 12 kB\nMemAvailable12 kB\n") == MemoryInfo{0, 0});
    }

    TEST_CASE("NodeMetrics reports this machine's online CPUs, its memory and the root disk") {
        NodeMetrics metrics({"/"});
        usleep(20'000);
        HeartbeatReport report;
        metrics.fill(report);
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        auto online_reported = std::count_if(report.cpus.begin(), report.cpus.end(),
                                             [](const CpuSample& cpu) { return cpu.online; });
        CHECK(online_reported == online);
        for (const CpuSample& cpu : report.cpus) {
            CHECK(cpu.utilisation >= 0.0f);
            CHECK(cpu.utilisation <= 1.0f);
        }
        CHECK(report.load_average >= 0.0f);
        CHECK(report.memory_total_bytes > 0);
        CHECK(report.memory_free_bytes <= report.memory_total_bytes);
        REQUIRE(report.disks.size() == 1);
        CHECK(report.disks[0].total_bytes > 0);
        CHECK(report.disks[0].free_bytes <= report.disks[0].total_bytes);
        CHECK(metrics.take_messages().empty());
    }

    TEST_CASE("a disk that cannot be measured reports 0 bytes and is mentioned once") {
        NodeMetrics metrics({"/", "/no/such/lobos/disk"});
        HeartbeatReport report;
        metrics.fill(report);
        REQUIRE(report.disks.size() == 2);
        CHECK(report.disks[0].total_bytes > 0);
        CHECK(report.disks[1] == DiskSample{0, 0});
        std::vector<std::string> messages = metrics.take_messages();
        REQUIRE(messages.size() == 1);
        CHECK(messages[0].find("/no/such/lobos/disk") != std::string::npos);
        metrics.fill(report);
        CHECK(report.disks[1] == DiskSample{0, 0});
        CHECK(metrics.take_messages().empty());
    }

    TEST_CASE("NodeMetrics measures from the files it is given, offline CPUs included") {
        test::ScratchDir dir("node-metrics");
        MetricsSources sources{dir.path() / "stat", dir.path() / "online", dir.path() / "possible",
                               dir.path() / "loadavg", dir.path() / "meminfo"};
        write_text(sources.proc_stat,
                   "cpu 0 0 0 0\n" + cpu_line(0, 0, 100) + cpu_line(2, 0, 100) + "intr 5\n");
        write_text(sources.cpu_online, "0,2\n");
        write_text(sources.cpu_possible, "0-3\n");
        write_text(sources.loadavg, "2.50 1.00 0.50 2/100 999\n");
        write_text(sources.meminfo, meminfo_text);
        NodeMetrics metrics({}, sources);

        write_text(sources.proc_stat,
                   "cpu 0 0 0 0\n" + cpu_line(0, 30, 170) + cpu_line(2, 100, 100) + "intr 5\n");
        HeartbeatReport report;
        metrics.fill(report);
        CHECK(report.cpus == std::vector<CpuSample>{{0.3f, true}, {0, false}, {1.0f, true}, {0, false}});
        CHECK(report.load_average == doctest::Approx(2.5));
        CHECK(report.memory_free_bytes == 24135772ull * 1024);
        CHECK(report.memory_total_bytes == 24683656ull * 1024);
        CHECK(report.disks.empty());

        // The next fill measures from the previous one, not from the start.
        write_text(sources.proc_stat,
                   "cpu 0 0 0 0\n" + cpu_line(0, 30, 270) + cpu_line(2, 150, 150) + "intr 5\n");
        metrics.fill(report);
        CHECK(report.cpus[0].utilisation == 0.0f);
        CHECK(report.cpus[2].utilisation == doctest::Approx(0.5));
    }

    TEST_CASE("NodeMetrics reads every CPU of a /proc/stat larger than its read buffer") {
        test::ScratchDir dir("node-metrics-large");
        MetricsSources sources{dir.path() / "stat", dir.path() / "online", dir.path() / "possible",
                               dir.path() / "loadavg", dir.path() / "meminfo"};
        auto stat_of = [](std::uint64_t busy) {
            std::string text = "cpu 1 2 3 4 5 6 7 8 9 10\n";
            for (int cpu = 0; cpu < 300; ++cpu) text += cpu_line(cpu, busy * 1000000, 123456789);
            // A large machine's interrupt line: tens of KB after the cpu lines.
            text += "intr";
            for (int i = 0; i < 20000; ++i) text += " 0";
            return text + "\nctxt 1\n";
        };
        write_text(sources.proc_stat, stat_of(1));
        write_text(sources.cpu_online, "0-299\n");
        write_text(sources.cpu_possible, "0-299\n");
        NodeMetrics metrics({}, sources);
        write_text(sources.proc_stat, stat_of(2));
        HeartbeatReport report;
        metrics.fill(report);
        REQUIRE(report.cpus.size() == 300);
        for (const CpuSample& cpu : report.cpus) CHECK(cpu == CpuSample{1.0f, true});
        // Files that cannot be read give the parsers' fallbacks.
        CHECK(report.load_average == 0.0f);
        CHECK(report.memory_total_bytes == 0);
    }
}
