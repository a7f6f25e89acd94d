// The "look now" that brings a lobosq its answer: the datagram's text, the
// reply address a request names, and requests with and without one.

#include <string>

#include <doctest/doctest.h>

#include "lobosq/job/spool_entry.hpp"
#include "share/formats/wake_up_message.hpp"

using namespace lobos;

TEST_SUITE("answer wake-up") {
    TEST_CASE("the answer wake-up is the text lobos look answer and reads back as its kind") {
        CHECK(wake_up_text(WakeUpKind::answer) == "lobos look answer");
        CHECK(wake_up_text(WakeUpKind::answer).size() <= wake_up_max_size);
        CHECK(parse_wake_up("lobos look answer") == WakeUpKind::answer);
        CHECK_FALSE(parse_wake_up("lobos look answers").has_value());
    }

    TEST_CASE("a reply address reads back as written") {
        for (const WakeUpAddress& a : {WakeUpAddress{"10.231.1.7", 40123}, WakeUpAddress{"127.0.0.1", 1},
                                       WakeUpAddress{"223.255.255.255", 65535}}) {
            const std::string text = format_wake_up_address(a);
            CAPTURE(text);
            CHECK(parse_wake_up_address(text) == a);
        }
        CHECK(format_wake_up_address({"192.168.0.2", 5000}) == "192.168.0.2:5000");
    }

    TEST_CASE("a reply address that is not exactly a dotted quad and a port is none") {
        for (const char* bad : {"",
                                ":",
                                "10.0.0.1",
                                "10.0.0.1:",
                                "10.0.0.1:0",
                                "10.0.0.1:65536",
                                "10.0.0.1:+5",
                                "10.0.0.1:05",
                                "10.0.0:5",
                                "10.0.0.1.2:5",
                                "10.0.0.256:5",
                                "10.0.0.01:5",
                                "10..0.1:5",
                                "a.b.c.d:5",
                                " 10.0.0.1:5",
                                "10.0.0.1:5 ",
                                "10.0.0.1:5:6",
                                "-1.0.0.1:5",
                                "host.example:5",
                                "[::1]:5",
                                "10.0.0.1:123456"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_wake_up_address(bad).has_value());
        }
    }

    TEST_CASE("a reply address must be one host's: not 0.x, multicast, reserved or broadcast") {
        CHECK_FALSE(parse_wake_up_address("0.0.0.0:5").has_value());
        CHECK_FALSE(parse_wake_up_address("0.1.2.3:5").has_value());
        CHECK_FALSE(parse_wake_up_address("224.0.0.1:5").has_value());
        CHECK_FALSE(parse_wake_up_address("239.255.255.255:5").has_value());
        CHECK_FALSE(parse_wake_up_address("240.0.0.1:5").has_value());
        CHECK_FALSE(parse_wake_up_address("255.255.255.255:5").has_value());
        CHECK(parse_wake_up_address("1.0.0.0:5").has_value());
    }

    TEST_CASE("cancel and probe requests carry their reply address, and read back as written") {
        const WakeUpAddress where{"10.231.1.7", 40123};
        std::string error;
        const CancelRequest cancel{"billings.971008161803", where};
        CHECK(encode_cancel_request(cancel).find(R"("reply_to":"10.231.1.7:40123")") != std::string::npos);
        CHECK(decode_cancel_request(encode_cancel_request(cancel), error) == cancel);
        const ProbeRequest probe{"#!/bin/sh\n#NPROCS 2\ntrue\n", where};
        CHECK(decode_probe_request(encode_probe_request(probe), error) == probe);
    }

    TEST_CASE("a request without a reply address, as an older lobosq writes it, still reads") {
        std::string error;
        const auto cancel = decode_cancel_request(R"({"job":"billings.971008161803"})", error);
        REQUIRE_MESSAGE(cancel, error);
        CHECK(cancel->job == "billings.971008161803");
        CHECK_FALSE(cancel->reply_to.has_value());
        const auto probe = decode_probe_request(R"({"script":"true\n"})", error);
        REQUIRE_MESSAGE(probe, error);
        CHECK_FALSE(probe->reply_to.has_value());
        // And nothing is written for an address that is not there.
        CHECK(encode_cancel_request(CancelRequest{"billings.971008161803", std::nullopt}) ==
              "{\"job\":\"billings.971008161803\"}\n");
    }

    TEST_CASE("a reply address that is unusable is dropped, and the request stands") {
        std::string error;
        for (const char* request : {R"({"job":"billings.971008161803","reply_to":"224.0.0.1:5"})",
                                    R"({"job":"billings.971008161803","reply_to":7})",
                                    R"({"job":"billings.971008161803","reply_to":"somewhere"})"}) {
            CAPTURE(request);
            const auto cancel = decode_cancel_request(request, error);
            REQUIRE_MESSAGE(cancel, error);
            CHECK(cancel->job == "billings.971008161803");
            CHECK_FALSE(cancel->reply_to.has_value());
        }
    }
}
