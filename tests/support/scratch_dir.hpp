#pragma once
// A fresh directory under the system's temporary directory, removed with
// everything in it when the test is done.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace lobos::test {

class ScratchDir {
public:
    explicit ScratchDir(const std::string& purpose) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("lobos-" + purpose + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace lobos::test
