// The one way labctl polls until something holds (a guest answers SSH, a service is ready, a
// row replicated, a child exited): an attempt, then a backoff delay, until an attempt succeeds
// or the deadline passes. One loop means every wait wakes on Ctrl-C (util/interrupt.hpp),
// never sleeps past its deadline, gets one last attempt at the deadline, and reports why it
// gave up in the same words.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "util/backoff.hpp"

namespace labctl::util {

using RetryClock = std::chrono::steady_clock;

// A wait bounded by something other than time (an attempt count, a child's exit).
inline constexpr RetryClock::time_point no_deadline = RetryClock::time_point::max();

// One attempt, numbered from 1: std::nullopt when done, else why not yet. An exception ends the
// retrying at once (an error no retry fixes) and propagates.
using RetryAttempt = std::function<std::optional<std::string>(int attempt)>;

// How retry_until reads the time and waits. Empty members mean the real ones: the steady
// clock, and util::sleep_or_interrupt. Tests pass a fake clock; run_process passes a plain
// sleep because it must reap its child before any interruption unwinds.
struct RetryHooks {
    std::function<RetryClock::time_point()> now;
    std::function<void(std::chrono::milliseconds)> sleep;
    // Called before each wait with the last reason and the delay (for debug logs).
    std::function<void(const std::string& reason, std::chrono::milliseconds delay)> on_wait;
};

struct RetryResult {
    bool done = false;
    int attempts = 0;
    std::string reason;  // the last attempt's reason when not done
};

// Calls ATTEMPT until it succeeds; between attempts waits POLICY's next delay, cut short at
// DEADLINE so the last attempt happens at the deadline. Gives up (done false) when an attempt
// fails at or after DEADLINE; the first attempt always runs.
RetryResult retry_until(RetryClock::time_point deadline, const BackoffPolicy& policy,
                        const RetryAttempt& attempt, const RetryHooks& hooks = {});

// retry_until for TIMEOUT from now with CHECK returning "" when ready, else why not; throws
// InfraError("not ready after N s: REASON", NODE, STEP) when TIMEOUT passes.
void wait_until(const std::string& node, const std::string& step, std::chrono::seconds timeout,
                const std::function<std::string()>& check,
                const BackoffPolicy& policy = {std::chrono::milliseconds(100),
                                               std::chrono::milliseconds(2000)});

}  // namespace labctl::util
