#include "share/io/directory_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <system_error>

namespace lobos {

namespace {

int open_inotify() {
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::system_category(), "cannot start inotify");
    return fd;
}

}  // namespace

DirectoryWatch::DirectoryWatch(asio::io_context& io, Handler handler)
    : fd_(io, open_inotify()), handler_(std::move(handler)), buffer_(64 * 1024) {}

void DirectoryWatch::add(const std::filesystem::path& directory) {
    int wd = ::inotify_add_watch(fd_.native_handle(), directory.c_str(),
                                 IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_ONLYDIR);
    if (wd < 0) throw std::system_error(errno, std::system_category(), "cannot watch " + directory.string());
    watches_[wd] = directory;
}

void DirectoryWatch::start() { do_read(); }

void DirectoryWatch::do_read() {
    fd_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        std::vector<Event> events;
        for (;;) {
            ssize_t got = ::read(fd_.native_handle(), buffer_.data(), buffer_.size());
            if (got <= 0) break;  // EAGAIN: all read
            for (ssize_t at = 0; at < got;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buffer_.data() + at);
                at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
                // IN_Q_OVERFLOW has no watch: report it on no directory, so
                // the handler rescans everything.
                auto watch = watches_.find(e->wd);
                events.push_back(Event{watch == watches_.end() ? std::filesystem::path() : watch->second,
                                       e->len ? std::string(e->name) : std::string(), e->mask});
            }
        }
        if (!events.empty()) handler_(events);
        do_read();
    });
}

}  // namespace lobos
