// The delays between a retry loop's attempts: exponential from `initial` up to `max`,
// optionally with jitter (each delay drawn from [d/2, d]) so many waiters (one per node) do
// not retry in lock step. util/retry.hpp is the loop that waits them.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace labctl::util {

struct BackoffPolicy {
    std::chrono::milliseconds initial{200};
    std::chrono::milliseconds max{5000};
    double factor = 2.0;
    bool jitter = false;
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

}  // namespace labctl::util
