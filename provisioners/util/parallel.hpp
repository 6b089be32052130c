// Runs independent work items on a few threads (booting or removing several nodes at once).
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace labctl::util {

// Calls fn(i) for every i in [0, count) on at most `jobs` threads, waits for all of them, then
// rethrows the first failure in index order: no thread outlives the call, and the error a
// user sees does not depend on which thread lost a race.
// `--jobs N` as a width for parallel_for: N, or OTHERWISE when the user gave none (0).
inline std::size_t jobs_or(int jobs, std::size_t otherwise) {
    return jobs > 0 ? static_cast<std::size_t>(jobs) : otherwise;
}

template <class Fn>
void parallel_for(std::size_t count, std::size_t jobs, Fn fn) {
    if (count == 0) return;
    std::vector<std::exception_ptr> errors(count);
    std::mutex next_mutex;
    std::size_t next = 0;
    auto worker = [&] {
        for (;;) {
            std::size_t k;
            {
                std::lock_guard lock(next_mutex);
                if (next >= count) return;
                k = next++;
            }
            try {
                fn(k);
            } catch (...) {
                errors[k] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < std::clamp<std::size_t>(jobs, 1, count); ++i)
        threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace labctl::util
