// Drives probe::HttpClient (whichever http.cpp it is linked with) as the load generator does:
// C threads, one kept-alive client each, N GETs in all. Prints one line of figures: wall
// time, requests per second, and the client's CPU per request (user + system), which is what
// the HTTP client itself costs on a busy host.
//   http_client_driver HOST PORT PATH REQUESTS CONCURRENCY
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "probe/http.hpp"

namespace {

double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s HOST PORT PATH REQUESTS CONCURRENCY\n", argv[0]);
        return 2;
    }
    std::string host = argv[1], path = argv[3];
    auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    int requests = std::atoi(argv[4]), concurrency = std::atoi(argv[5]);
    std::atomic<int> next{0}, failed{0};
    auto cpu_start = cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t)
        threads.emplace_back([&] {
            labctl::probe::HttpClient client(host, port, std::chrono::milliseconds(3000));
            while (next.fetch_add(1) < requests) {
                auto response = client.get(path);
                if (!response.ok() || response.status != 200 || !response.header("X-Upstream"))
                    failed.fetch_add(1);
            }
        });
    for (auto& thread : threads) thread.join();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double cpu = cpu_seconds() - cpu_start;
    std::printf("%d %d %.3f %.0f %.1f\n", requests, failed.load(), wall, requests / wall,
                cpu / requests * 1e6);
    return failed.load() == 0 ? 0 : 1;
}
