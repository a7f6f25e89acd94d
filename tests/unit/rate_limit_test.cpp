#include "share/formats/rate_limit.hpp"

#include <doctest/doctest.h>

using namespace lobos;
using namespace std::chrono_literals;

namespace {
const TokenBucket::Clock::time_point start{};
}  // namespace

TEST_SUITE("rate limit") {
    TEST_CASE("a full bucket lets a burst through and then refuses") {
        TokenBucket bucket(200, 50);
        int taken = 0;
        for (int i = 0; i < 60; ++i) taken += bucket.take(start + 1s) ? 1 : 0;
        CHECK(taken == 50);
        CHECK_FALSE(bucket.take(start + 1s));
    }

    TEST_CASE("tokens come back at the rate and no faster") {
        TokenBucket bucket(200, 50);
        for (int i = 0; i < 50; ++i) REQUIRE(bucket.take(start));
        CHECK_FALSE(bucket.take(start));
        // 200 a second: one every 5 ms.
        CHECK_FALSE(bucket.take(start + 4ms));
        CHECK(bucket.take(start + 5ms));
        CHECK_FALSE(bucket.take(start + 5ms));
        int taken = 0;
        for (int i = 0; i < 20; ++i) taken += bucket.take(start + 55ms) ? 1 : 0;
        CHECK(taken == 10);
    }

    TEST_CASE("a long quiet spell refills the bucket only up to the burst") {
        TokenBucket bucket(200, 50);
        for (int i = 0; i < 50; ++i) REQUIRE(bucket.take(start));
        int taken = 0;
        for (int i = 0; i < 100; ++i) taken += bucket.take(start + 1h) ? 1 : 0;
        CHECK(taken == 50);
    }

    TEST_CASE("a time earlier than the last one refills nothing") {
        TokenBucket bucket(1, 1);
        REQUIRE(bucket.take(start + 10s));
        CHECK_FALSE(bucket.take(start + 5s));
        CHECK_FALSE(bucket.take(start + 10s));
        CHECK(bucket.take(start + 11s));
    }
}
