#pragma once
// Sets the process's time zone for one test and puts the previous one back:
// the status files and job ids are in local time.

#include <stdlib.h>
#include <time.h>

#include <optional>
#include <string>

namespace lobos::test {

class TimeZone {
public:
    explicit TimeZone(const char* zone) {
        if (const char* previous = getenv("TZ")) previous_ = previous;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~TimeZone() {
        if (previous_)
            setenv("TZ", previous_->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    TimeZone(const TimeZone&) = delete;
    TimeZone& operator=(const TimeZone&) = delete;

private:
    std::optional<std::string> previous_;
};

}  // namespace lobos::test
