#include "lobosq/queue_daemon/durable_batch.hpp"

#include <exception>
#include <utility>

namespace lobos {

void DurableBatch::once_durable(const std::string& key, std::function<void()> action) {
    if (!awaiting_.insert(key).second) return;
    after_sync_.push_back([this, key, action = std::move(action)] {
        action();
        awaiting_.erase(key);
    });
}

void DurableBatch::make_durable() {
    if (!records_written_ && after_sync_.empty()) return;
    try {
        store_.sync();
    } catch (const std::exception& e) {
        // Nothing that depends on the records is done; the next sync tries again.
        log_.limited(LogLevel::error, "sync", e.what());
        return;
    }
    records_written_ = false;
    for (auto& action : std::exchange(after_sync_, {})) action();
}

void DurableBatch::clear() {
    after_sync_.clear();
    awaiting_.clear();
    records_written_ = false;
}

}  // namespace lobos
