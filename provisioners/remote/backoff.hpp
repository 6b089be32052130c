// Exponential backoff with jitter: each delay is drawn from [d/2, d] where d doubles from
// `initial` up to `max`, so many waiters (one per node) do not retry in lock step.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace labctl::remote {

struct BackoffPolicy {
    std::chrono::milliseconds initial{200};
    std::chrono::milliseconds max{5000};
    double factor = 2.0;
};

class Backoff {
  public:
    explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = std::random_device{}());
    // The next delay to wait before retrying.
    std::chrono::milliseconds next();

  private:
    BackoffPolicy policy_;
    double current_ms_;
    std::mt19937_64 random_;
};

}  // namespace labctl::remote
