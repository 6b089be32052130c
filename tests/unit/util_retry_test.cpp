// The one retry loop (util/retry.hpp) and its delays (util/backoff.hpp), on a fake clock: which
// attempts run, which waits happen and when it gives up, without timing anything real.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/backoff.hpp"
#include "util/error.hpp"
#include "util/retry.hpp"

namespace labctl {
namespace {

using namespace std::chrono_literals;
using util::RetryClock;

// A clock that moves only when the loop sleeps, recording every wait.
struct FakeClock {
    RetryClock::time_point now = RetryClock::time_point(1h);
    std::vector<std::chrono::milliseconds> waits;
    std::vector<std::string> events;  // attempts and waits in the order they happened

    util::RetryHooks hooks() {
        util::RetryHooks h;
        h.now = [this] { return now; };
        h.sleep = [this](std::chrono::milliseconds delay) {
            waits.push_back(delay);
            events.push_back("wait " + std::to_string(delay.count()));
            now += delay;
        };
        return h;
    }
};

TEST(Backoff, DoublesUpToTheCapWithoutJitter) {
    util::Backoff backoff({10ms, 80ms, 2.0});
    std::vector<long> delays;
    for (int i = 0; i < 6; ++i) delays.push_back(static_cast<long>(backoff.next().count()));
    EXPECT_EQ(delays, (std::vector<long>{10, 20, 40, 80, 80, 80}));
}

TEST(Backoff, GrowsWithJitterAndIsCapped) {
    util::BackoffPolicy policy{100ms, 1000ms, 2.0, true};
    util::Backoff backoff(policy, 42);
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 8; ++i) delays.push_back(backoff.next());
    // Each delay lies in [d/2, d] for d = 100, 200, 400, 800, 1000, 1000, ...
    std::vector<int> ceilings{100, 200, 400, 800, 1000, 1000, 1000, 1000};
    for (std::size_t i = 0; i < delays.size(); ++i) {
        EXPECT_GE(delays[i].count(), ceilings[i] / 2) << i;
        EXPECT_LE(delays[i].count(), ceilings[i]) << i;
    }
    // Jitter: two waiters with different seeds do not wait the same.
    util::Backoff other(policy, 7);
    util::Backoff same(policy, 42);
    bool differs = false;
    for (int i = 0; i < 8; ++i) differs |= other.next() != same.next();
    EXPECT_TRUE(differs);
}

TEST(RetryUntil, SucceedsAtOnceWithoutWaiting) {
    FakeClock clock;
    auto result = util::retry_until(
        clock.now + 1s, {10ms, 80ms}, [](int) -> std::optional<std::string> { return {}; },
        clock.hooks());
    EXPECT_TRUE(result.done);
    EXPECT_EQ(result.attempts, 1);
    EXPECT_TRUE(clock.waits.empty());
}

TEST(RetryUntil, AttemptsAndWaitsAlternateWithGrowingDelays) {
    FakeClock clock;
    std::vector<int> numbers;
    auto result = util::retry_until(
        clock.now + 10s, {10ms, 40ms},
        [&](int attempt) -> std::optional<std::string> {
            numbers.push_back(attempt);
            clock.events.push_back("attempt " + std::to_string(attempt));
            if (attempt == 5) return std::nullopt;
            return "not yet";
        },
        clock.hooks());
    EXPECT_TRUE(result.done);
    EXPECT_EQ(result.attempts, 5);
    EXPECT_TRUE(result.reason.empty());
    EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3, 4, 5}));
    EXPECT_EQ(clock.events,
              (std::vector<std::string>{"attempt 1", "wait 10", "attempt 2", "wait 20", "attempt 3",
                                        "wait 40", "attempt 4", "wait 40", "attempt 5"}));
}

TEST(RetryUntil, CutsTheLastWaitAtTheDeadlineAndTriesOnceMoreThere) {
    FakeClock clock;
    auto deadline = clock.now + 100ms;
    int attempts = 0;
    auto result = util::retry_until(
        deadline, {30ms, 1000ms},
        [&](int attempt) -> std::optional<std::string> {
            ++attempts;
            return "reason " + std::to_string(attempt);
        },
        clock.hooks());
    EXPECT_FALSE(result.done);
    // 30 + 60 = 90 ms, then 10 ms (not 120) up to the deadline, one attempt there, no more.
    EXPECT_EQ(clock.waits, (std::vector<std::chrono::milliseconds>{30ms, 60ms, 10ms}));
    EXPECT_EQ(result.attempts, 4);
    EXPECT_EQ(attempts, 4);
    EXPECT_EQ(result.reason, "reason 4");  // the last reason, for the caller's message
    EXPECT_EQ(clock.now, deadline);
}

TEST(RetryUntil, RunsTheFirstAttemptEvenPastTheDeadline) {
    FakeClock clock;
    int attempts = 0;
    auto result = util::retry_until(
        clock.now - 1s, {10ms, 10ms},
        [&](int) -> std::optional<std::string> {
            ++attempts;
            return "late";
        },
        clock.hooks());
    EXPECT_FALSE(result.done);
    EXPECT_EQ(attempts, 1);
    EXPECT_TRUE(clock.waits.empty());
}

TEST(RetryUntil, AnExceptionStopsRetryingAndPropagates) {
    FakeClock clock;
    int attempts = 0;
    EXPECT_THROW(util::retry_until(
                     clock.now + 10s, {10ms, 10ms},
                     [&](int attempt) -> std::optional<std::string> {
                         ++attempts;
                         if (attempt == 2) throw std::runtime_error("fatal");
                         return "again";
                     },
                     clock.hooks()),
                 std::runtime_error);
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(clock.waits.size(), 1u);
}

TEST(RetryUntil, WithoutADeadlineWaitsUntilDone) {
    FakeClock clock;
    auto result = util::retry_until(
        util::no_deadline, {1ms, 4ms},
        [&](int attempt) -> std::optional<std::string> {
            if (attempt < 20) return "running";
            return std::nullopt;
        },
        clock.hooks());
    EXPECT_TRUE(result.done);
    EXPECT_EQ(result.attempts, 20);
    EXPECT_EQ(clock.waits.size(), 19u);
    EXPECT_EQ(clock.waits.back(), 4ms);
}

TEST(RetryUntil, TellsEachWaitWithTheLastReason) {
    FakeClock clock;
    auto hooks = clock.hooks();
    std::vector<std::string> told;
    hooks.on_wait = [&](const std::string& reason, std::chrono::milliseconds delay) {
        told.push_back(reason + " " + std::to_string(delay.count()));
    };
    util::retry_until(
        clock.now + 1s, {5ms, 5ms},
        [](int attempt) -> std::optional<std::string> {
            if (attempt == 3) return std::nullopt;
            return "refused " + std::to_string(attempt);
        },
        hooks);
    EXPECT_EQ(told, (std::vector<std::string>{"refused 1 5", "refused 2 5"}));
}

TEST(RetryUntil, ZeroDelayRetriesWithoutWaiting) {
    FakeClock clock;
    auto result = util::retry_until(
        clock.now + 1s, {0ms, 0ms},
        [](int attempt) -> std::optional<std::string> {
            if (attempt == 3) return std::nullopt;
            return "again";
        },
        clock.hooks());
    EXPECT_TRUE(result.done);
    EXPECT_EQ(clock.waits, (std::vector<std::chrono::milliseconds>{0ms, 0ms}));
}

// The real clock and util::sleep_or_interrupt, with tiny delays: only order and count.
TEST(RetryUntil, RealClockRetriesUntilDone) {
    int attempts = 0;
    auto result = util::retry_until(RetryClock::now() + 10s, {1ms, 2ms},
                                    [&](int) -> std::optional<std::string> {
                                        if (++attempts < 3) return "not yet";
                                        return std::nullopt;
                                    });
    EXPECT_TRUE(result.done);
    EXPECT_EQ(result.attempts, 3);
    EXPECT_EQ(attempts, 3);
}

TEST(WaitUntil, ReturnsWhenTheCheckHolds) {
    int calls = 0;
    EXPECT_NO_THROW(util::wait_until(
        "node1", "addresses", 10s,
        [&]() -> std::string { return ++calls < 2 ? "no address yet" : ""; }, {1ms, 1ms}));
    EXPECT_EQ(calls, 2);
}

TEST(WaitUntil, ThrowsNamingNodeStepAndTheLastReason) {
    try {
        util::wait_until("node1", "verify stomp", 0s, [] { return std::string("port closed"); });
        FAIL() << "no error";
    } catch (const InfraError& error) {
        EXPECT_EQ(std::string(error.what()), "not ready after 0 s: port closed");
        EXPECT_EQ(error.node(), "node1");
        EXPECT_EQ(error.step(), "verify stomp");
    }
}

}  // namespace
}  // namespace labctl
