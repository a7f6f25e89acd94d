#include "lobosq/job/directives.hpp"

#include <doctest/doctest.h>

using namespace lobos;

namespace {

DirectivesRead read(const std::string& script, bool root = false, int cpus = 16) {
    DirectiveContext context;
    context.root = root;
    context.cluster_cpus = cpus;
    context.now = std::chrono::system_clock::from_time_t(1'700'000'000);
    return read_directives(script, context);
}

// The script was refused with exactly one error, on this line, saying this.
void require_refused(const std::string& script, int line, const std::string& says, bool root = false) {
    DirectivesRead r = read(script, root);
    INFO(script);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == line);
    CHECK_MESSAGE(r.errors[0].reason.find(says) != std::string::npos, r.errors[0].reason);
}

}  // namespace

TEST_SUITE("directives") {
    TEST_CASE("a script without directives gets the LoBoS defaults") {
        DirectivesRead r = read("#!/bin/sh\necho hello\n");
        REQUIRE(r.ok());
        CHECK(r.directives == JobDirectives{});
        CHECK(r.directives.etime_minutes == 60);
        CHECK(r.directives.confidence == 90);
        CHECK(r.directives.nprocs_low == 4);
        CHECK(r.directives.nprocs_high == 4);
        CHECK(r.directives.tpip == 1);
        CHECK_FALSE(r.directives.nproc0);
    }

    TEST_CASE("every directive is read from the leading comment block") {
        DirectivesRead r = read(
            "#!/bin/sh\n"
            "# a job of mine\n"
            "#ETIME 30\n"
            "#CONFidence 75\n"
            "#NPROCS 2-8\n"
            "#NPROC0 3\n"
            "#TPIP 2\n"
            "\n"
            "mpirun ./a.out\n");
        REQUIRE(r.ok());
        CHECK(r.directives.etime_minutes == 30);
        CHECK(r.directives.confidence == 75);
        CHECK(r.directives.nprocs_low == 2);
        CHECK(r.directives.nprocs_high == 8);
        CHECK(r.directives.nproc0 == 3);
        CHECK(r.directives.tpip == 2);
    }

    TEST_CASE("the upper-case part is the shortest spelling and case does not matter") {
        for (std::string spelling :
             {"#CONF 50", "#CONFid 50", "#CONFidence 50", "#confidence 50", "#Conf 50"}) {
            CAPTURE(spelling);
            DirectivesRead r = read(spelling + "\n");
            REQUIRE(r.ok());
            CHECK(r.directives.confidence == 50);
        }
        CHECK(read("#nprocs 2\n").directives.nprocs_low == 2);
        CHECK(read("#etime 5\n").directives.etime_minutes == 5);
    }

    TEST_CASE("directives after the first command are not read") {
        DirectivesRead r = read("#NPROCS 2\necho hi\n#NPROCS 8\n#BOGUS 1\n");
        REQUIRE(r.ok());
        CHECK(r.directives.nprocs_low == 2);
    }

    TEST_CASE("ordinary comments are not directives") {
        DirectivesRead r = read("#!/bin/bash\n# NPROCS 8 (a note)\n#comment\n#-- section --\n#\n");
        REQUIRE(r.ok());
        CHECK(r.directives.nprocs_low == 4);
    }

    TEST_CASE("a misspelt upper-case word is refused with its line") {
        require_refused("#!/bin/sh\n#NPROC 4\n", 2, "#NPROC is no directive");
        require_refused("#ETIM 4\n", 1, "#ETIM is no directive");
        require_refused("#CON 50\n", 1, "no directive");
        require_refused("#ETIMES 4\n", 1, "no directive");
    }

    TEST_CASE("values out of range are refused with the line and the limit") {
        require_refused("#ETIME 0\n", 1, "below the minimum of 1");
        require_refused("#CONF 101\n", 1, "above the maximum of 100");
        require_refused("#CONF -1\n", 1, "below the minimum of 0");
        require_refused("#TPIP 3\n", 1, "above the maximum of 2");
        require_refused("# x\n#NPROCS 0\n", 2, "below the minimum of 1");
        require_refused("#NPROCS 200\n", 1, "above the maximum of 128");
        require_refused("#NPROCS 1-129\n", 1, "above the maximum of 128");
    }

    TEST_CASE("unparsable values are refused") {
        require_refused("#ETIME soon\n", 1, "not a whole number");
        require_refused("#ETIME 1.5\n", 1, "not a whole number");
        require_refused("#ETIME\n", 1, "needs a value");
        require_refused("#ETIME 5 10\n", 1, "takes one value");
        require_refused("#NPROCS two\n", 1, "not a number of CPUs");
        require_refused("#NPROCS 2-\n", 1, "not a number of CPUs");
        require_refused("#NPROCS 2-x\n", 1, "not a number of CPUs");
    }

    TEST_CASE("a reversed range is refused") { require_refused("#NPROCS 8-2\n", 1, "reversed range"); }

    TEST_CASE("a directive given twice is refused on the second line") {
        require_refused("#ETIME 5\n#etime 6\n", 2, "given twice, first on line 1");
    }

    TEST_CASE("more CPUs than the cluster has is refused, naming the NPROCS line") {
        require_refused("# big\n#NPROCS 17\n", 2, "needs 17 CPUs; the cluster has 16");
        DirectivesRead r = read("#NPROCS 8-32\n");  // a range that can start
        CHECK(r.ok());
        DirectivesRead small = read("#ETIME 5\n", false, 2);  // the default of 4 CPUs on a 2-CPU cluster
        REQUIRE(small.errors.size() == 1);
        CHECK(small.errors[0].reason.find("needs 4 CPUs; the cluster has 2") != std::string::npos);
    }

    TEST_CASE("an NPROC0 beyond the cluster's CPUs is refused") {
        require_refused("#NPROC0 17\n", 1, "numbered 1 to 16");
    }

    TEST_CASE("ADMIN and RTIME are for root only") {
        require_refused("#ADMIN\n", 1, "root only");
        require_refused("#RTIME 23:00\n", 1, "root only");
        DirectivesRead r = read("#ADMIN\n#RTIME 2030-01-02 03:04\n", true);
        REQUIRE(r.ok());
        CHECK(r.directives.admin);
        REQUIRE(r.directives.rtime);
    }

    TEST_CASE("an RTIME of day already past today means tomorrow") {
        DirectiveContext context;
        context.root = true;
        context.now = std::chrono::system_clock::now();
        DirectivesRead r = read_directives("#RTIME 00:00\n", context);
        REQUIRE(r.ok());
        REQUIRE(r.directives.rtime);
        CHECK(*r.directives.rtime > context.now);
        CHECK(*r.directives.rtime - context.now <= std::chrono::hours(24));
    }

    TEST_CASE("an unparsable RTIME is refused") {
        require_refused("#RTIME teatime\n", 1, "not a time", true);
    }

    TEST_CASE("every bad line is reported, in line order") {
        DirectivesRead r = read("#ETIME 0\n#TPIP 9\n#NPROC 3\n");
        REQUIRE(r.errors.size() == 3);
        CHECK(r.errors[0].line == 1);
        CHECK(r.errors[1].line == 2);
        CHECK(r.errors[2].line == 3);
        CHECK(to_string(r.errors[1]).starts_with("line 2: #TPIP 9: above the maximum of 2"));
    }
}
