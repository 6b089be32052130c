#include "util/backoff.hpp"

#include <algorithm>

namespace labctl::util {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed)
    : policy_(policy), current_ms_(static_cast<double>(policy.initial.count())), random_(seed) {}

std::chrono::milliseconds Backoff::next() {
    double ceiling = std::min(current_ms_, static_cast<double>(policy_.max.count()));
    current_ms_ = std::min(current_ms_ * policy_.factor, static_cast<double>(policy_.max.count()));
    if (!policy_.jitter) return std::chrono::milliseconds(static_cast<long long>(ceiling));
    std::uniform_real_distribution<double> pick(ceiling / 2, ceiling);
    auto delay = std::chrono::milliseconds(static_cast<long long>(pick(random_)));
    // Never 0 ms with jitter: a tiny ceiling must still leave the waiters apart.
    return std::max(delay, std::chrono::milliseconds(1));
}

}  // namespace labctl::util
