#include "lobosq/command/untaken_id.hpp"

#include <set>

#include <doctest/doctest.h>

using namespace lobos;

namespace {

// The search over a set of taken seconds, counting its lookups.
struct Search {
    std::set<int> taken;
    int lookups = 0;
    int run(int limit) {
        return first_untaken_second(limit, [&](int s) {
            ++lookups;
            return taken.count(s) > 0;
        });
    }
};

Search taken_up_to(int n) {
    Search search;
    for (int s = 0; s < n; ++s) search.taken.insert(s);
    return search;
}

}  // namespace

TEST_SUITE("untaken id") {
    TEST_CASE("with nothing taken the first second is now, after one lookup") {
        Search search;
        CHECK(search.run(3600) == 0);
        CHECK(search.lookups == 1);
    }

    TEST_CASE("after a run of taken seconds the first free one is found in a few lookups") {
        for (int n : {1, 2, 3, 5, 17, 100, 999, 1457, 1458, 2000, 3599}) {
            CAPTURE(n);
            Search search = taken_up_to(n);
            CHECK(search.run(3600) == n);
            CHECK(search.lookups <= 30);
        }
    }

    TEST_CASE("every second taken up to the limit gives the limit") {
        for (int limit : {1, 2, 7, 3600}) {
            CAPTURE(limit);
            Search search = taken_up_to(limit + 5);
            CHECK(search.run(limit) == limit);
        }
    }

    TEST_CASE("with gaps in the taken seconds a free second is still found") {
        Search search = taken_up_to(300);
        search.taken.erase(40);
        search.taken.erase(41);
        const int found = search.run(3600);
        CHECK(!search.taken.count(found));
        CHECK(found < 3600);
    }
}
