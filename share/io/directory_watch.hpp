#pragma once
// Directories watched with inotify inside an Asio loop: the queue daemon and
// the node runners learn of new files at once instead of polling. inotify
// sees only changes made on this machine, so its users also rescan on a
// timer (NFS).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "share/io/asio.hpp"

namespace lobos {

class DirectoryWatch {
public:
    struct Event {
        std::filesystem::path directory;
        std::string name;  // empty for an event on the directory itself
        std::uint32_t mask = 0;
    };
    using Handler = std::function<void(const std::vector<Event>&)>;

    // Throws std::system_error when inotify is not available.
    DirectoryWatch(asio::io_context& io, Handler handler);

    // Watches `directory` for files created, moved in, written and closed, or
    // removed. Throws std::system_error naming the directory.
    void add(const std::filesystem::path& directory);
    void start();  // begins delivering events to the handler

private:
    void do_read();

    asio::posix::stream_descriptor fd_;
    Handler handler_;
    std::map<int, std::filesystem::path> watches_;
    std::vector<char> buffer_;
};

}  // namespace lobos
