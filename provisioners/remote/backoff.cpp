#include "remote/backoff.hpp"

#include <algorithm>

namespace labctl::remote {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed)
    : policy_(policy), current_ms_(static_cast<double>(policy.initial.count())), random_(seed) {}

std::chrono::milliseconds Backoff::next() {
    double ceiling = std::min(current_ms_, static_cast<double>(policy_.max.count()));
    std::uniform_real_distribution<double> pick(ceiling / 2, ceiling);
    auto delay = std::chrono::milliseconds(static_cast<long long>(pick(random_)));
    current_ms_ = std::min(current_ms_ * policy_.factor, static_cast<double>(policy_.max.count()));
    return std::max(delay, std::chrono::milliseconds(1));
}

}  // namespace labctl::remote
