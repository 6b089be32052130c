#include "remote/pool.hpp"

namespace labctl::remote {

Session& SessionPool::get(const std::string& node) {
    {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(node);
        if (it != sessions_.end() && it->second->alive()) return *it->second;
    }
    // Connect without the lock: other nodes' connections proceed in parallel.
    auto session = std::make_unique<Session>(Session::connect(options_for_(node)));
    std::lock_guard lock(mutex_);
    auto& slot = sessions_[node];
    slot = std::move(session);
    return *slot;
}

void SessionPool::forget(const std::string& node) {
    std::lock_guard lock(mutex_);
    sessions_.erase(node);
}

std::size_t SessionPool::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace labctl::remote
