#pragma once
// Users made for one test (root only), named so that two test runs at once
// never take or remove each other's: the name carries the whole process id.

#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"

namespace lobos::test {

// `base` and this process's id: unique among the processes alive now.
inline std::string throwaway_user_name(const std::string& base) { return base + std::to_string(::getpid()); }

// useradd, again while another useradd or userdel (another test run) holds
// /etc/passwd or /etc/group: exit 1 or 10. Nothing tells when the lock goes,
// so it is tried again after a pause, at most 50 times.
// `options`: more useradd options, e.g. --home-dir.
inline ProcessResult add_user(const std::string& name, const std::vector<std::string>& options = {}) {
    std::vector<std::string> argv = {"/usr/sbin/useradd", "--no-create-home", "--user-group"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(name);
    ProcessResult r;
    for (int attempt = 0; attempt < 50; ++attempt) {
        r = run_process(argv);
        if (r.exit_code != 1 && r.exit_code != 10) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return r;
}

}  // namespace lobos::test
