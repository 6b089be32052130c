#include "util/retry.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/interrupt.hpp"

namespace labctl::util {

RetryResult retry_until(RetryClock::time_point deadline, const BackoffPolicy& policy,
                        const RetryAttempt& attempt, const RetryHooks& hooks) {
    auto now = [&] { return hooks.now ? hooks.now() : RetryClock::now(); };
    // Without jitter the sequence is fixed: no need to read a random seed.
    Backoff backoff(policy, policy.jitter ? std::random_device{}() : 0);
    RetryResult result;
    for (;;) {
        auto reason = attempt(++result.attempts);
        if (!reason) {
            result.done = true;
            result.reason.clear();
            return result;
        }
        result.reason = std::move(*reason);
        auto delay = backoff.next();
        if (deadline != no_deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
            if (left.count() <= 0) return result;
            delay = std::min(delay, left);
        }
        if (hooks.on_wait) hooks.on_wait(result.reason, delay);
        if (hooks.sleep)
            hooks.sleep(delay);
        else
            sleep_or_interrupt(delay);
    }
}

void wait_until(const std::string& node, const std::string& step, std::chrono::seconds timeout,
                const std::function<std::string()>& check, const BackoffPolicy& policy) {
    auto result =
        retry_until(RetryClock::now() + timeout, policy, [&](int) -> std::optional<std::string> {
            auto reason = check();
            if (reason.empty()) return std::nullopt;
            return reason;
        });
    if (!result.done)
        throw InfraError(
            "not ready after " + std::to_string(timeout.count()) + " s: " + result.reason, node,
            step);
}

}  // namespace labctl::util
