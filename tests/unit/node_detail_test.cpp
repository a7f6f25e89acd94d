#include "share/formats/node_detail.hpp"

#include <chrono>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace lobos;
using namespace std::chrono;

namespace {

WallTime at_ms(std::int64_t unix_ms) { return WallTime(milliseconds(unix_ms)); }

HeartbeatReport report_of(NodeId id) {
    HeartbeatReport report;
    report.sender = id;
    report.sequence = 4411;
    report.channel = report_channel;
    report.sent_unix_ms = 874763583800;
    report.load_average = 1.5f;
    report.memory_free_bytes = 1ull << 40;
    report.memory_total_bytes = 18446744073709551615ull;
    report.cpus = {{0.25f, true}, {0.0f, false}, {0.123456789f, true}};
    report.disks = {{100, 200}, {0, 0}};
    report.links = {{0, {{2, 120}, {65, 4294967295u}}}, {3, {}}};
    report.primary_epoch = 7;
    return report;
}

std::vector<NodeDetail> sample_nodes() {
    std::vector<NodeDetail> nodes(3);
    nodes[0] = {"pe1", true, at_ms(874763000500), at_ms(874763583900), report_of(1)};
    nodes[1] = {"pe2", false, at_ms(-1500), std::nullopt, std::nullopt};
    nodes[2] = {"master1", true, at_ms(0), at_ms(874763584000), report_of(65)};
    nodes[2].last_report->channel = 2;
    return nodes;
}

std::vector<LinkState> sample_links() {
    return {{"pe1", "pe2", "165.112.185.1", "165.112.185.2", true, at_ms(874763000500)},
            {"pe1", "hub1", "165.112.185.1", "231.231.231.231", false, at_ms(874763000999)}};
}

void check_same_nodes(const std::vector<NodeDetail>& read, const std::vector<NodeDetail>& written) {
    REQUIRE(read.size() == written.size());
    for (std::size_t i = 0; i < read.size(); ++i) {
        CAPTURE(i);
        CHECK(read[i].name == written[i].name);
        CHECK(read[i].up == written[i].up);
        CHECK(read[i].since == written[i].since);
        CHECK(read[i].last_heard == written[i].last_heard);
        CHECK(read[i].last_report == written[i].last_report);
    }
}

void check_same_links(const std::vector<LinkState>& read, const std::vector<LinkState>& written) {
    REQUIRE(read.size() == written.size());
    for (std::size_t i = 0; i < read.size(); ++i) {
        CAPTURE(i);
        CHECK(read[i].name1 == written[i].name1);
        CHECK(read[i].name2 == written[i].name2);
        CHECK(read[i].ip1 == written[i].ip1);
        CHECK(read[i].ip2 == written[i].ip2);
        CHECK(read[i].up == written[i].up);
        CHECK(read[i].since == written[i].since);
    }
}

}  // namespace

TEST_SUITE("node detail") {
    TEST_CASE("the detail file reads back as every node, link and drop counter written") {
        DropCounters dropped{{"bad_tag", 3}, {"not_a_member", 18446744073709551615ull}};
        std::string text =
            format_node_detail(sample_nodes(), sample_links(), dropped, at_ms(874763584123), "master1", 3);
        NodeDetailRead read = parse_node_detail(text);
        REQUIRE_MESSAGE(read.detail.has_value(), read.error);
        CHECK(read.error.empty());
        CHECK(read.detail->written == at_ms(874763584123));
        CHECK(read.detail->writer == "master1");
        CHECK(read.detail->epoch == 3);
        check_same_nodes(read.detail->nodes, sample_nodes());
        check_same_links(read.detail->links, sample_links());
        CHECK(read.detail->dropped == dropped);
    }

    TEST_CASE("the detail file has the documented shape") {
        std::string text = format_node_detail(sample_nodes(), sample_links(), {{"bad_tag", 3}},
                                              at_ms(874763584123), "master1", 3);
        nlohmann::json json = nlohmann::json::parse(text);
        CHECK(json["written"].get<double>() == doctest::Approx(874763584.123));
        CHECK(text.find("\"written\":874763584.123,") != std::string::npos);
        CHECK(json["writer"] == "master1");
        CHECK(json["epoch"] == 3);
        const nlohmann::json& pe1 = json["nodes"][0];
        CHECK(pe1["name"] == "pe1");
        CHECK(pe1["up"] == true);
        CHECK(pe1["cpus"][0]["utilisation"] == 0.25);
        CHECK(pe1["cpus"][1]["online"] == false);
        CHECK(pe1["load_average"] == 1.5);
        CHECK(pe1["disks"][0]["free_bytes"] == 100);
        CHECK(pe1["links"][0]["heard"][0]["peer"] == 2);
        CHECK(pe1["links"][0]["heard"][0]["age_ms"] == 120);
        const nlohmann::json& pe2 = json["nodes"][1];
        CHECK(pe2["last_heard"].is_null());
        CHECK(pe2["since"].get<double>() == doctest::Approx(-1.5));
        CHECK_FALSE(pe2.contains("cpus"));
        CHECK(json["links"][1]["ip2"] == "231.231.231.231");
        CHECK(json["dropped"]["bad_tag"] == 3);
    }

    TEST_CASE("the writer's listening_since is written in unix seconds and read back") {
        std::string text =
            format_node_detail({}, {}, {}, at_ms(874763584123), "master1", 3, at_ms(874763500250));
        CHECK(text.find("\"listening_since\":874763500.250,") != std::string::npos);
        NodeDetailRead read = parse_node_detail(text);
        REQUIRE_MESSAGE(read.detail.has_value(), read.error);
        CHECK(read.detail->listening_since == at_ms(874763500250));
    }

    TEST_CASE("a detail file without listening_since, or with null, reads as not knowing it") {
        NodeDetailRead old = parse_node_detail(format_node_detail({}, {}, {}, at_ms(1), "m", 1));
        REQUIRE_MESSAGE(old.detail.has_value(), old.error);
        CHECK_FALSE(old.detail->listening_since.has_value());
        NodeDetailRead null = parse_node_detail(
            R"({"written":1.0,"writer":"m","epoch":1,"listening_since":null,"nodes":[],"links":[],"dropped":{}})");
        REQUIRE_MESSAGE(null.detail.has_value(), null.error);
        CHECK_FALSE(null.detail->listening_since.has_value());
    }

    TEST_CASE("an empty cluster is an empty detail file, still readable") {
        std::string text = format_node_detail({}, {}, {}, at_ms(0), "", 0);
        CHECK(text ==
              "{\"written\":0.000,\"writer\":\"\",\"epoch\":0,\"nodes\":[],\"links\":[],\"dropped\":{}}\n");
        NodeDetailRead read = parse_node_detail(text);
        REQUIRE(read.detail.has_value());
        CHECK(read.detail->nodes.empty());
    }

    TEST_CASE("names with quotes, backslashes and control characters are escaped and read back") {
        std::vector<NodeDetail> nodes(1);
        nodes[0].name = "odd \"name\" \\ \t\x01 é";
        std::string text = format_node_detail(nodes, {}, {{"bad\nreason", 1}}, at_ms(1), "m\"1", 1);
        NodeDetailRead read = parse_node_detail(text);
        REQUIRE_MESSAGE(read.detail.has_value(), read.error);
        CHECK(read.detail->nodes[0].name == nodes[0].name);
        CHECK(read.detail->writer == "m\"1");
        CHECK(read.detail->dropped.at("bad\nreason") == 1);
    }

    TEST_CASE("a float that is not finite is written as 0, keeping the file valid JSON") {
        std::vector<NodeDetail> nodes = sample_nodes();
        nodes[0].last_report->load_average = std::numeric_limits<float>::infinity();
        nodes[0].last_report->cpus[0].utilisation = std::numeric_limits<float>::quiet_NaN();
        NodeDetailRead read = parse_node_detail(format_node_detail(nodes, {}, {}, at_ms(1), "m", 1));
        REQUIRE_MESSAGE(read.detail.has_value(), read.error);
        CHECK(read.detail->nodes[0].last_report->load_average == 0.0f);
        CHECK(read.detail->nodes[0].last_report->cpus[0].utilisation == 0.0f);
    }

    TEST_CASE("a malformed detail file gives an error naming what is wrong, not an exception") {
        const std::string node_head =
            R"({"written":1,"writer":"m","epoch":1,"links":[],"dropped":{},"nodes":[)";
        const std::string ok_node = R"({"name":"a","up":true,"since":1,"last_heard":null})";
        std::vector<std::pair<std::string, std::string>> cases{
            {"", "parse error"},
            {"{", "parse error"},
            {"[]", "the document: expected an object"},
            {"nul", "parse error"},
            {R"({"written":1})", "writer: missing"},
            {R"({"written":"x","writer":"m","epoch":1,"nodes":[],"links":[],"dropped":{}})", "written"},
            {R"({"written":1,"writer":"m","epoch":-1,"nodes":[],"links":[],"dropped":{}})", "epoch"},
            {R"({"written":1,"writer":"m","epoch":1,"nodes":{},"links":[],"dropped":{}})", "nodes"},
            {R"({"written":1e300,"writer":"m","epoch":1,"nodes":[],"links":[],"dropped":{}})", "written"},
            {R"({"written":1,"writer":"m","epoch":1,"nodes":[],"links":[],"dropped":{"x":-1}})", "dropped.x"},
            {R"({"written":1,"writer":"m","epoch":1,"nodes":[],"links":[{}],"dropped":{}})",
             "links[0].name1"},
            {node_head + ok_node + ",3]}", "nodes[1]: expected an object"},
            {node_head + R"({"name":"a","up":1,"since":1,"last_heard":null}]})", "nodes[0].up"},
            {node_head + R"({"name":"a","up":true,"since":1}]})", "nodes[0].last_heard: missing"},
            {node_head + R"({"name":"a","up":true,"since":1,"last_heard":null,"id":1}]})",
             "nodes[0].sequence"},
            {node_head + R"({"name":"a","up":true,"since":1,"last_heard":null,"id":1,"sequence":1,"sent":1,)"
                         R"("channel":0,"primary_epoch":0,"cpus":[{"utilisation":"x","online":true}]}]})",
             "nodes[0].cpus[0].utilisation"},
            {node_head + R"({"name":"a","up":true,"since":1,"last_heard":null,"id":1,"sequence":1,"sent":1,)"
                         R"("channel":4294967296,"primary_epoch":0}]})",
             "nodes[0].channel"},
        };
        for (const auto& [json, mention] : cases) {
            CAPTURE(json);
            NodeDetailRead read;
            CHECK_NOTHROW(read = parse_node_detail(json));
            CHECK_FALSE(read.detail.has_value());
            CAPTURE(read.error);
            CHECK(read.error.find(mention) != std::string::npos);
        }
    }

    TEST_CASE("keys a reader does not know are ignored") {
        NodeDetailRead read = parse_node_detail(
            R"({"written":1.5,"writer":"m","epoch":2,"nodes":[],"links":[],"dropped":{},"future":[1,2]})");
        REQUIRE_MESSAGE(read.detail.has_value(), read.error);
        CHECK(read.detail->written == at_ms(1500));
    }

    TEST_CASE("the detail of 10,000 nodes formats quickly") {
        std::vector<NodeDetail> nodes(10000);
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            nodes[i].name = "n" + std::to_string(i);
            nodes[i].up = true;
            nodes[i].since = at_ms(1700000000000 + static_cast<std::int64_t>(i));
            nodes[i].last_heard = at_ms(1700000100000);
            nodes[i].last_report = report_of(static_cast<NodeId>(i));
        }
        std::vector<LinkState> links(15000, sample_links()[0]);
        auto start = steady_clock::now();
        std::string text =
            format_node_detail(nodes, links, {{"bad_tag", 1}}, at_ms(1700000100000), "master1", 9);
        auto elapsed = duration_cast<microseconds>(steady_clock::now() - start);
        MESSAGE("10,000 nodes and 15,000 links: " << text.size() / 1024 << " KB formatted in "
                                                  << elapsed.count() / 1000.0 << " ms");
        NodeDetailRead read = parse_node_detail(text);
        REQUIRE_MESSAGE(read.detail.has_value(), read.error);
        CHECK(read.detail->nodes.size() == 10000);
        CHECK(read.detail->links.size() == 15000);
    }
}
