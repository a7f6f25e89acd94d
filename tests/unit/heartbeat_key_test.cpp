// The heartbeat key file: generated with mode 0600 and never overwritten,
// and refused, with a message naming the file and what to do, when it is
// missing, open to others, or not a key.

#include <sys/stat.h>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "pulse/daemon/heartbeat_key_file.hpp"
#include "pulse/heartbeat/heartbeat_codec.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace lobos;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& text,
                fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
    std::ofstream(path, std::ios::binary) << text;
    fs::permissions(path, mode, fs::perm_options::replace);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The message load_heartbeat_key throws for `path`, or "" if it loads.
std::string load_error(const fs::path& path) {
    try {
        load_heartbeat_key(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

const std::string hex_of_32_bytes = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

}  // namespace

TEST_SUITE("heartbeat key") {
    TEST_CASE("a generated key file has mode 0600, one line of 64 hex digits, and loads back") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        write_new_heartbeat_key(path);
        CHECK(mode_of(path) == 0600);
        std::string text = read_file(path);
        CHECK(text.size() == 65);
        CHECK(text.back() == '\n');
        CHECK(text.find_first_not_of("0123456789abcdef") == 64);
        HeartbeatKey key = load_heartbeat_key(path);
        CHECK(key.bytes().size() == 32);
    }

    TEST_CASE("two generated keys differ and no temporary file is left beside them") {
        test::ScratchDir dir("key");
        write_new_heartbeat_key(dir.path() / "a.key");
        write_new_heartbeat_key(dir.path() / "b.key");
        CHECK(read_file(dir.path() / "a.key") != read_file(dir.path() / "b.key"));
        int files = 0;
        for (const auto& entry : fs::directory_iterator(dir.path())) {
            CAPTURE(entry.path());
            ++files;
        }
        CHECK(files == 2);
    }

    TEST_CASE("an existing key file is not overwritten, and the message names it") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        write_new_heartbeat_key(path);
        std::string before = read_file(path);
        try {
            write_new_heartbeat_key(path);
            FAIL("an existing key was overwritten");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
            CHECK(std::string(e.what()).find("already exists") != std::string::npos);
        }
        CHECK(read_file(path) == before);
    }

    TEST_CASE("a key file readable by others is refused with its path, its mode and chmod") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        write_file(
            path, hex_of_32_bytes + "\n",
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
        std::string message = load_error(path);
        CHECK(message.find(path.string()) != std::string::npos);
        CHECK(message.find("readable by others") != std::string::npos);
        CHECK(message.find("0644") != std::string::npos);
        CHECK(message.find("chmod") != std::string::npos);
    }

    TEST_CASE("a key file writable by others is refused, one readable by its group is not") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        write_file(path, hex_of_32_bytes,
                   fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
        CHECK(load_error(path).find("chmod 600") != std::string::npos);
        fs::permissions(path, fs::perms::owner_read | fs::perms::group_read, fs::perm_options::replace);
        CHECK(load_error(path) == "");
    }

    TEST_CASE("a missing key file's message names the path and pulse --keygen") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "nowhere.key";
        std::string message = load_error(path);
        CHECK(message.find(path.string()) != std::string::npos);
        CHECK(message.find("does not exist") != std::string::npos);
        CHECK(message.find("pulse --keygen") != std::string::npos);
    }

    TEST_CASE(
        "a key file that is empty, short, odd, not hex or more than one line is refused with its path") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        std::string text;
        std::string expected;
        SUBCASE("empty") {
            text = "";
            expected = "is empty";
        }
        SUBCASE("only a newline") {
            text = "\n";
            expected = "is empty";
        }
        SUBCASE("31 bytes") {
            text = hex_of_32_bytes.substr(2) + "\n";
            expected = "holds 31 bytes";
        }
        SUBCASE("an odd number of hex digits") {
            text = hex_of_32_bytes + "a\n";
            expected = "odd number";
        }
        SUBCASE("a character that is not hex") {
            text = hex_of_32_bytes.substr(0, 10) + "g" + hex_of_32_bytes.substr(11) + "\n";
            expected = "character 11 is not a hex digit";
        }
        SUBCASE("spaces between the digits") {
            text = hex_of_32_bytes.substr(0, 32) + " " + hex_of_32_bytes.substr(32);
            expected = "not a hex digit";
        }
        SUBCASE("two lines") {
            text = hex_of_32_bytes + "\n" + hex_of_32_bytes + "\n";
            expected = "more than one line";
        }
        SUBCASE("a huge file") {
            text = std::string(100000, 'a');
            expected = "longer than";
        }
        write_file(path, text);
        std::string message = load_error(path);
        CAPTURE(message);
        CHECK(message.find(path.string()) != std::string::npos);
        CHECK(message.find(expected) != std::string::npos);
    }

    TEST_CASE("a directory in place of the key file is refused") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        fs::create_directory(path);
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace);
        CHECK(load_error(path).find("not a regular file") != std::string::npos);
    }

    TEST_CASE("upper-case hex with a CRLF ending and more than 32 bytes loads as those bytes") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        std::string upper = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF0A0B";
        write_file(path, upper + "\r\n");
        HeartbeatKey key = load_heartbeat_key(path);
        REQUIRE(key.bytes().size() == 34);
        CHECK(key.bytes()[9] == 0x99);
        CHECK(key.bytes()[15] == 0xFF);
        CHECK(key.bytes()[33] == 0x0B);
    }

    TEST_CASE("a key loaded from its file signs datagrams as the same bytes given directly") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "cluster.key";
        write_file(path, hex_of_32_bytes);
        std::vector<std::uint8_t> bytes(32);
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
        HeartbeatKey from_file = load_heartbeat_key(path);
        HeartbeatKey direct = HeartbeatKey::from_bytes(bytes);
        HeartbeatReport report;
        report.sender = 3;
        CHECK(encode_heartbeat(report, from_file) == encode_heartbeat(report, direct));
    }

    TEST_CASE("a key signs with HMAC-SHA256: known answers, and the same tag every time") {
        auto hex = [](const std::array<std::uint8_t, 32>& tag) {
            static const char digits[] = "0123456789abcdef";
            std::string text;
            for (std::uint8_t b : tag) {
                text += digits[b >> 4];
                text += digits[b & 0xF];
            }
            return text;
        };
        auto bytes_of = [](std::string_view text) {
            return std::vector<std::uint8_t>(text.begin(), text.end());
        };
        // RFC 4231 test case 6: a key longer than SHA-256's block, hashed first.
        HeartbeatKey long_key = HeartbeatKey::from_bytes(std::vector<std::uint8_t>(131, 0xaa));
        const auto rfc = bytes_of("Test Using Larger Than Block-Size Key - Hash Key First");
        CHECK(hex(long_key.sign(rfc)) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        // A 32-byte key as pulse --keygen makes them (answer from Python's hmac module).
        std::vector<std::uint8_t> bytes(32);
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
        HeartbeatKey key = HeartbeatKey::from_bytes(bytes);
        const auto message = bytes_of("LoBoS heartbeat");
        const std::string expected = "0ac169a8b8198d0e392a1f0133e4ccb4dcc266215f2e302dced0f8958c9ffe48";
        CHECK(hex(key.sign(message)) == expected);
        // The keyed state is reused: a second tag, after another message, is still right.
        CHECK(hex(key.sign(rfc)) != expected);
        CHECK(hex(key.sign(message)) == expected);
        HeartbeatKey moved = std::move(key);
        CHECK(hex(moved.sign(message)) == expected);
        CHECK_THROWS_AS(key.sign(message), std::logic_error);  // NOLINT(bugprone-use-after-move)
    }

    TEST_CASE("a key of fewer than 32 bytes cannot be made, and a moved key keeps its bytes") {
        std::vector<std::uint8_t> bytes(31, 0x5A);
        CHECK_THROWS_AS(HeartbeatKey::from_bytes(bytes), std::invalid_argument);
        bytes.push_back(0x5A);
        HeartbeatKey key = HeartbeatKey::from_bytes(bytes);
        HeartbeatKey moved = std::move(key);
        CHECK(moved.bytes().size() == 32);
        CHECK(moved.bytes()[31] == 0x5A);
        HeartbeatKey other = HeartbeatKey::from_bytes(std::vector<std::uint8_t>(40, 1));
        other = std::move(moved);
        CHECK(other.bytes().size() == 32);
    }

    TEST_CASE("a key cannot be written into a directory that does not exist, and the message names it") {
        test::ScratchDir dir("key");
        fs::path path = dir.path() / "missing" / "cluster.key";
        try {
            write_new_heartbeat_key(path);
            FAIL("a key was written into a missing directory");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
        }
        CHECK_FALSE(fs::exists(path));
    }
}
