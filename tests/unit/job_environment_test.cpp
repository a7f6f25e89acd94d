#include "lobosq/job/job_environment.hpp"

#include <algorithm>

#include <doctest/doctest.h>

using namespace lobos;

namespace {

StartOrder two_node_order() {
    StartOrder order;
    order.spec.id = "alice.261123101500";
    order.spec.user = "alice";
    order.spec.directives.tpip = 2;
    order.spec.environment = {
        {"PATH", "/opt/bin:/usr/bin"}, {"EDITOR", "vi"}, {"USER", "mallory"}, {"LOBOS_CPUS", "stale"}};
    order.placement.cpus = {3, 4, 1};
    order.placement.nodes = {"n02", "n02", "n01"};
    return order;
}

const JobUser alice{"alice", "/home/alice", "/bin/bash"};

bool has(const std::vector<std::string>& environment, const std::string& entry) {
    return std::find(environment.begin(), environment.end(), entry) != environment.end();
}

}  // namespace

TEST_SUITE("job environment") {
    TEST_CASE("the job sees its id, CPUs and nodes, NODE0 first, over the submitter's environment") {
        const auto env =
            job_environment(two_node_order(), alice, "/lobos/nodes/n02/alice.261123101500.nodes");
        CHECK(has(env, "LOBOS_JOBID=alice.261123101500"));
        CHECK(has(env, "LOBOS_NPROCS=3"));
        CHECK(has(env, "LOBOS_TPIP=2"));
        CHECK(has(env, "LOBOS_CPUS=3,4,1"));
        CHECK(has(env, "LOBOS_NODES=n02,n01"));
        CHECK(has(env, "LOBOS_NODEFILE=/lobos/nodes/n02/alice.261123101500.nodes"));
        CHECK(has(env, "EDITOR=vi"));
        CHECK(has(env, "PATH=/opt/bin:/usr/bin"));
        CHECK(!has(env, "LOBOS_CPUS=stale"));
    }

    TEST_CASE("the user's identity comes from the password database, not from the submitter's environment") {
        const auto env = job_environment(two_node_order(), alice, "/f");
        CHECK(has(env, "USER=alice"));
        CHECK(has(env, "LOGNAME=alice"));
        CHECK(has(env, "HOME=/home/alice"));
        CHECK(has(env, "SHELL=/bin/bash"));
        CHECK(!has(env, "USER=mallory"));
    }

    TEST_CASE("each name once, sorted; names exec cannot pass are left out; PATH is never missing") {
        StartOrder order = two_node_order();
        order.spec.environment = {{"", "x"},
                                  {"A=B", "y"},
                                  {std::string("N\0UL", 4), "z"},
                                  {"GOOD", std::string("v\0w", 3)},
                                  {"KEPT", "a=b"}};
        const auto env = job_environment(order, alice, "/f");
        CHECK(std::is_sorted(env.begin(), env.end()));
        CHECK(has(env, "KEPT=a=b"));
        CHECK(has(env, std::string("PATH=") + default_job_path));
        for (const std::string& entry : env) {
            CHECK(entry.find('\0') == std::string::npos);
            CHECK(entry.front() != '=');
            CHECK(!entry.starts_with("A=B"));
        }
        CHECK(env.size() == 12);  // KEPT, PATH, the user's 4 and the 6 LOBOS_*: nothing else
    }

    TEST_CASE("the node list file has one line per CPU, in placement order") {
        CHECK(nodefile_contents(two_node_order().placement) == "n02\nn02\nn01\n");
        CHECK(nodefile_contents(Placement{}) == "");
    }

    TEST_CASE("jobs on the same hosts share a node list file named after its lines, while the name fits") {
        CHECK(shared_nodefile_name(two_node_order().placement) == "hosts-n02,n02,n01");
        Placement one;
        one.cpus = {5};
        one.nodes = {".."};  // a host name of dots still makes no path of its own
        CHECK(shared_nodefile_name(one) == "hosts-..");
        CHECK(shared_nodefile_name(Placement{}) == std::nullopt);

        Placement wide;
        for (int cpu = 1; cpu <= 64; ++cpu) {
            wide.cpus.push_back(cpu);
            wide.nodes.push_back("n" + std::to_string(cpu));
        }
        CHECK(shared_nodefile_name(wide) == std::nullopt);
    }
}
