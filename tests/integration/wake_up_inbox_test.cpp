// The inbox where lobosq hears the daemon's "look now" for its answer
// (share/io/wake_up's WakeUpInbox), over real UDP on the loopback address.

#include <poll.h>

#include <string>

#include <doctest/doctest.h>

#include "share/io/wake_up.hpp"

using namespace lobos;

namespace {

// Waits (bounded) until a datagram is there to read; whether one is.
bool datagram_waiting(const WakeUpInbox& inbox) {
    pollfd p{inbox.fd(), POLLIN, 0};
    return ::poll(&p, 1, 2000) == 1;
}

}  // namespace

TEST_SUITE("wake-up inbox") {
    TEST_CASE(
        "an inbox names this host's address toward the senders and hears an answer wake-up sent there") {
        WakeUpInbox inbox({"127.0.0.1"}, 9);
        REQUIRE(inbox.fd() >= 0);
        REQUIRE(inbox.address().has_value());
        CHECK(inbox.address()->address == "127.0.0.1");
        CHECK(inbox.address()->port != 0);
        CHECK_FALSE(inbox.take(WakeUpKind::answer));  // nothing has come

        send_wake_up(inbox.address()->address, inbox.address()->port, WakeUpKind::answer);
        REQUIRE(datagram_waiting(inbox));
        CHECK(inbox.take(WakeUpKind::answer));
        CHECK_FALSE(inbox.take(WakeUpKind::answer));  // taken once
    }

    TEST_CASE("an inbox takes another kind of wake-up, or junk, as no answer") {
        WakeUpInbox inbox({"127.0.0.1"}, 9);
        REQUIRE(inbox.address().has_value());
        send_wake_up(inbox.address()->address, inbox.address()->port, WakeUpKind::spool);
        REQUIRE(datagram_waiting(inbox));
        CHECK_FALSE(inbox.take(WakeUpKind::answer));
    }

    TEST_CASE("an inbox with no route to any sender listens to nothing and names no address") {
        WakeUpInbox inbox({"not an address"}, 9);
        CHECK(inbox.fd() < 0);
        CHECK_FALSE(inbox.address().has_value());
        CHECK_FALSE(inbox.take(WakeUpKind::answer));
    }

    TEST_CASE("an inbox uses the first sender that has a route") {
        WakeUpInbox inbox({"not an address", "127.0.0.1"}, 9);
        REQUIRE(inbox.address().has_value());
        CHECK(inbox.address()->address == "127.0.0.1");
    }
}
