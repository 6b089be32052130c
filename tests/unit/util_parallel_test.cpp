#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "util/parallel.hpp"

namespace labctl {
namespace {

TEST(ParallelFor, RunsEveryItemOnAtMostJobsThreads) {
    std::mutex mutex;
    std::set<size_t> done;
    std::set<std::thread::id> threads;
    std::atomic<int> running{0}, most{0};
    util::parallel_for(20, 3, [&](size_t i) {
        int now = ++running;
        for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
        }
        {
            std::lock_guard lock(mutex);
            done.insert(i);
            threads.insert(std::this_thread::get_id());
        }
        --running;
    });
    EXPECT_EQ(done.size(), 20u);
    EXPECT_LE(threads.size(), 3u);
    EXPECT_LE(most.load(), 3);
}

TEST(ParallelFor, FinishesTheRestThenRethrowsTheFirstFailureInIndexOrder) {
    std::atomic<int> ran{0};
    try {
        util::parallel_for(6, 6, [&](size_t i) {
            ++ran;
            if (i == 4) throw std::runtime_error("four");
            if (i == 2) throw std::runtime_error("two");
        });
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "two");
    }
    EXPECT_EQ(ran.load(), 6);
}

TEST(ParallelFor, ZeroItemsOrZeroJobs) {
    int calls = 0;
    util::parallel_for(0, 4, [&](size_t) { ++calls; });
    EXPECT_EQ(calls, 0);
    util::parallel_for(2, 0, [&](size_t) { ++calls; });  // at least one thread
    EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace labctl
