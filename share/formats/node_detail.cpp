#include "share/formats/node_detail.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

#include "share/formats/json_fields.hpp"

namespace lobos {

namespace {

using nlohmann::json;

// Writes JSON text straight into a string. The primary master rewrites the
// file every heartbeat for clusters of thousands of nodes; building an
// nlohmann::json tree first would cost an allocation per value.
class JsonWriter {
public:
    explicit JsonWriter(std::size_t expected_size) { out_.reserve(expected_size); }

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    // The key of the next value in an object.
    void key(std::string_view name) {
        separate();
        string_text(name);
        out_ += ':';
        after_key_ = true;
    }

    void string(std::string_view text) {
        separate();
        string_text(text);
    }
    void boolean(bool value) {
        separate();
        out_ += value ? "true" : "false";
    }
    void null() {
        separate();
        out_ += "null";
    }
    template <typename Integer>
    void integer(Integer value) {
        separate();
        std::array<char, 24> digits{};
        auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
        out_.append(digits.data(), end);
    }
    // The shortest text that reads back as the same float; JSON has no
    // infinity or NaN, so those are written as 0.
    void real(float value) {
        separate();
        if (!std::isfinite(value)) value = 0;
        std::array<char, 32> digits{};
        auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
        out_.append(digits.data(), end);
    }
    // Unix seconds with exactly three decimals: milliseconds, without the
    // rounding noise of printing a double.
    void seconds(WallTime when) {
        separate();
        auto ms = std::chrono::floor<std::chrono::milliseconds>(when.time_since_epoch()).count();
        if (ms < 0) out_ += '-';
        std::uint64_t magnitude =
            ms < 0 ? 0 - static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
        std::array<char, 24> digits{};
        auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), magnitude / 1000);
        out_.append(digits.data(), end);
        unsigned fraction = static_cast<unsigned>(magnitude % 1000);
        out_ += '.';
        out_ += static_cast<char>('0' + fraction / 100);
        out_ += static_cast<char>('0' + fraction / 10 % 10);
        out_ += static_cast<char>('0' + fraction % 10);
    }

    std::string take() { return std::move(out_); }

private:
    void open(char bracket) {
        separate();
        out_ += bracket;
        first_ = true;
    }
    void close(char bracket) {
        out_ += bracket;
        first_ = false;
    }
    // A comma before every value but the first of its object or array, and
    // none between a key and its value.
    void separate() {
        if (after_key_)
            after_key_ = false;
        else if (!first_)
            out_ += ',';
        first_ = false;
    }
    void string_text(std::string_view text) {
        out_ += '"';
        auto needs_escape = [](char c) {
            return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
        };
        // Names and keys almost never need escaping: copy the plain runs whole.
        while (!text.empty()) {
            std::size_t plain = 0;
            while (plain < text.size() && !needs_escape(text[plain])) ++plain;
            out_.append(text.data(), plain);
            if (plain == text.size()) break;
            char c = text[plain];
            if (c == '"' || c == '\\') {
                out_ += '\\';
                out_ += c;
            } else {
                std::array<char, 8> escape{};
                std::snprintf(escape.data(), escape.size(), "\\u%04x", static_cast<unsigned>(c));
                out_ += escape.data();
            }
            text.remove_prefix(plain + 1);
        }
        out_ += '"';
    }

    std::string out_;
    bool first_ = true;
    bool after_key_ = false;
};

void write_report(JsonWriter& w, const HeartbeatReport& report) {
    w.key("id");
    w.integer(report.sender);
    w.key("sequence");
    w.integer(report.sequence);
    w.key("sent");
    w.seconds(WallTime(std::chrono::milliseconds(report.sent_unix_ms)));
    w.key("channel");
    w.integer(report.channel);
    w.key("primary_epoch");
    w.integer(report.primary_epoch);
    w.key("cpus");
    w.begin_array();
    for (const CpuSample& cpu : report.cpus) {
        w.begin_object();
        w.key("utilisation");
        w.real(cpu.utilisation);
        w.key("online");
        w.boolean(cpu.online);
        w.end_object();
    }
    w.end_array();
    w.key("load_average");
    w.real(report.load_average);
    w.key("memory_free_bytes");
    w.integer(report.memory_free_bytes);
    w.key("memory_total_bytes");
    w.integer(report.memory_total_bytes);
    w.key("disks");
    w.begin_array();
    for (const DiskSample& disk : report.disks) {
        w.begin_object();
        w.key("free_bytes");
        w.integer(disk.free_bytes);
        w.key("total_bytes");
        w.integer(disk.total_bytes);
        w.end_object();
    }
    w.end_array();
    w.key("links");
    w.begin_array();
    for (const LinkHeard& link : report.links) {
        w.begin_object();
        w.key("link");
        w.integer(link.link);
        w.key("heard");
        w.begin_array();
        for (const PeerHeard& peer : link.heard) {
            w.begin_object();
            w.key("peer");
            w.integer(peer.peer);
            w.key("age_ms");
            w.integer(peer.age_ms);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
}

void write_node(JsonWriter& w, std::string_view name, bool up, WallTime since,
                const std::optional<WallTime>& last_heard, const HeartbeatReport* last_report) {
    w.begin_object();
    w.key("name");
    w.string(name);
    w.key("up");
    w.boolean(up);
    w.key("since");
    w.seconds(since);
    w.key("last_heard");
    if (last_heard)
        w.seconds(*last_heard);
    else
        w.null();
    if (last_report) write_report(w, *last_report);
    w.end_object();
}

void write_node(JsonWriter& w, const NodeDetail& node) {
    write_node(w, node.name, node.up, node.since, node.last_heard,
               node.last_report ? &*node.last_report : nullptr);
}

void write_node(JsonWriter& w, const SharedNodeDetail& node) {
    write_node(w, node.name, node.up, node.since, node.last_heard, node.last_report.get());
}

void write_link(JsonWriter& w, const LinkState& link) {
    w.begin_object();
    w.key("name1");
    w.string(link.name1);
    w.key("name2");
    w.string(link.name2);
    w.key("ip1");
    w.string(link.ip1);
    w.key("ip2");
    w.string(link.ip2);
    w.key("up");
    w.boolean(link.up);
    w.key("since");
    w.seconds(link.since);
    w.end_object();
}

using json_fields::array_at;
using json_fields::boolean_at;
using json_fields::element_path;
using json_fields::expected;
using json_fields::member;
using json_fields::member_path;
using json_fields::object_at;
using json_fields::text_at;

float real_at(const json& object, std::string_view key, const std::string& where) {
    return static_cast<float>(json_fields::number_at(object, key, where));
}

template <typename Integer>
Integer integer_at(const json& object, std::string_view key, const std::string& where) {
    return json_fields::integer_at<Integer>(object, key, where);
}

// Unix seconds, kept to the millisecond. The range check keeps the
// conversion to integer milliseconds defined.
WallTime unix_seconds_of(const json& value, const std::string& where) {
    if (!value.is_number()) expected(where, "unix seconds");
    double seconds = value.get<double>();
    if (!std::isfinite(seconds) || std::abs(seconds) > 1e12) expected(where, "unix seconds");
    return WallTime(std::chrono::milliseconds(std::llround(seconds * 1000)));
}

WallTime unix_seconds_at(const json& object, std::string_view key, const std::string& where) {
    return unix_seconds_of(member(object, key, where), member_path(where, key));
}

HeartbeatReport read_report(const json& node, const std::string& where) {
    HeartbeatReport report;
    report.sender = integer_at<NodeId>(node, "id", where);
    report.sequence = integer_at<std::uint64_t>(node, "sequence", where);
    report.sent_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              unix_seconds_at(node, "sent", where).time_since_epoch())
                              .count();
    report.channel = integer_at<std::uint32_t>(node, "channel", where);
    report.primary_epoch = integer_at<std::uint64_t>(node, "primary_epoch", where);

    const json& cpus = array_at(node, "cpus", where);
    for (std::size_t i = 0; i < cpus.size(); ++i) {
        std::string at = element_path(member_path(where, "cpus"), i);
        const json& cpu = object_at(cpus[i], at);
        report.cpus.push_back(CpuSample{real_at(cpu, "utilisation", at), boolean_at(cpu, "online", at)});
    }
    report.load_average = real_at(node, "load_average", where);
    report.memory_free_bytes = integer_at<std::uint64_t>(node, "memory_free_bytes", where);
    report.memory_total_bytes = integer_at<std::uint64_t>(node, "memory_total_bytes", where);

    const json& disks = array_at(node, "disks", where);
    for (std::size_t i = 0; i < disks.size(); ++i) {
        std::string at = element_path(member_path(where, "disks"), i);
        const json& disk = object_at(disks[i], at);
        report.disks.push_back(DiskSample{integer_at<std::uint64_t>(disk, "free_bytes", at),
                                          integer_at<std::uint64_t>(disk, "total_bytes", at)});
    }

    const json& links = array_at(node, "links", where);
    for (std::size_t i = 0; i < links.size(); ++i) {
        std::string at = element_path(member_path(where, "links"), i);
        const json& link = object_at(links[i], at);
        LinkHeard heard_on_link;
        heard_on_link.link = integer_at<LinkIndex>(link, "link", at);
        const json& heard = array_at(link, "heard", at);
        for (std::size_t j = 0; j < heard.size(); ++j) {
            std::string peer_at = element_path(member_path(at, "heard"), j);
            const json& peer = object_at(heard[j], peer_at);
            heard_on_link.heard.push_back(PeerHeard{integer_at<NodeId>(peer, "peer", peer_at),
                                                    integer_at<std::uint32_t>(peer, "age_ms", peer_at)});
        }
        report.links.push_back(std::move(heard_on_link));
    }
    return report;
}

NodeDetail read_node(const json& value, const std::string& where) {
    const json& node = object_at(value, where);
    NodeDetail detail;
    detail.name = text_at(node, "name", where);
    detail.up = boolean_at(node, "up", where);
    detail.since = unix_seconds_at(node, "since", where);
    const json& last_heard = member(node, "last_heard", where);
    if (!last_heard.is_null())
        detail.last_heard = unix_seconds_of(last_heard, member_path(where, "last_heard"));
    if (node.contains("id")) detail.last_report = read_report(node, where);
    return detail;
}

LinkState read_link(const json& value, const std::string& where) {
    const json& link = object_at(value, where);
    return LinkState{text_at(link, "name1", where), text_at(link, "name2", where),
                     text_at(link, "ip1", where),   text_at(link, "ip2", where),
                     boolean_at(link, "up", where), unix_seconds_at(link, "since", where)};
}

NodeDetailFile read_file(const json& document) {
    object_at(document, "");
    NodeDetailFile file;
    file.written = unix_seconds_at(document, "written", "");
    file.writer = text_at(document, "writer", "");
    file.epoch = integer_at<std::uint64_t>(document, "epoch", "");
    // Absent in files written before it existed: unknown.
    if (const json* since = json_fields::optional_member(document, "listening_since"))
        file.listening_since = unix_seconds_of(*since, "listening_since");

    const json& nodes = array_at(document, "nodes", "");
    file.nodes.reserve(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i)
        file.nodes.push_back(read_node(nodes[i], element_path("nodes", i)));

    const json& links = array_at(document, "links", "");
    file.links.reserve(links.size());
    for (std::size_t i = 0; i < links.size(); ++i)
        file.links.push_back(read_link(links[i], element_path("links", i)));

    const json& dropped = object_at(member(document, "dropped", ""), "dropped");
    for (auto it = dropped.begin(); it != dropped.end(); ++it)
        file.dropped[it.key()] = integer_at<std::uint64_t>(dropped, it.key(), "dropped");
    return file;
}

}  // namespace

namespace {

template <typename Node>
std::string format_detail(const std::vector<Node>& nodes, const std::vector<LinkState>& links,
                          const DropCounters& dropped, WallTime written, const std::string& writer,
                          std::uint64_t epoch, std::optional<WallTime> listening_since) {
    // About 500 bytes for a node with a few CPUs, disks and links heard.
    JsonWriter w(256 + nodes.size() * 512 + links.size() * 128);
    w.begin_object();
    w.key("written");
    w.seconds(written);
    w.key("writer");
    w.string(writer);
    w.key("epoch");
    w.integer(epoch);
    if (listening_since) {
        w.key("listening_since");
        w.seconds(*listening_since);
    }
    w.key("nodes");
    w.begin_array();
    for (const Node& node : nodes) write_node(w, node);
    w.end_array();
    w.key("links");
    w.begin_array();
    for (const LinkState& link : links) write_link(w, link);
    w.end_array();
    w.key("dropped");
    w.begin_object();
    for (const auto& [reason, count] : dropped) {
        w.key(reason);
        w.integer(count);
    }
    w.end_object();
    w.end_object();
    std::string text = w.take();
    text += '\n';
    return text;
}

}  // namespace

std::string format_node_detail(const std::vector<NodeDetail>& nodes, const std::vector<LinkState>& links,
                               const DropCounters& dropped, WallTime written, const std::string& writer,
                               std::uint64_t epoch, std::optional<WallTime> listening_since) {
    return format_detail(nodes, links, dropped, written, writer, epoch, listening_since);
}

std::string format_node_detail_snapshot(const std::vector<SharedNodeDetail>& nodes,
                                        const std::vector<LinkState>& links, const DropCounters& dropped,
                                        WallTime written, const std::string& writer, std::uint64_t epoch,
                                        std::optional<WallTime> listening_since) {
    return format_detail(nodes, links, dropped, written, writer, epoch, listening_since);
}

NodeDetailRead parse_node_detail(std::string_view json_text) {
    NodeDetailRead read;
    try {
        read.detail = read_file(json::parse(json_text));
    } catch (const json_fields::FieldError& error) {
        read.error = error.message;
    } catch (const json::exception& error) {
        // nlohmann's message names the line and column of a syntax error.
        read.error = error.what();
    } catch (const std::exception& error) {
        read.error = std::string("cannot read the detail file: ") + error.what();
    }
    return read;
}

}  // namespace lobos
