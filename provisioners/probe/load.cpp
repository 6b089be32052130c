#include "probe/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include "probe/grpc_health.hpp"
#include "probe/http.hpp"
#include "util/strings.hpp"

namespace labctl::probe {

std::string describe_split(const Split& split) {
    int total = 0;
    for (const auto& [backend, count] : split) total += count;
    std::string out;
    for (const auto& [backend, count] : split) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {} ({:.0f}%)", backend, count, total ? 100.0 * count / total : 0.0);
    }
    return out.empty() ? "no answers" : out;
}

namespace {

struct Answer {
    probe::HttpResponse response;  // what arrived, if anything
    bool ok = false;               // the request succeeded by its protocol's measure
};

// One worker's kept-alive connection to the balancer, speaking the load's protocol.
class Requester {
  public:
    explicit Requester(const LoadOptions& options) : options_(options) {
        auto port = static_cast<std::uint16_t>(options.port);
        if (options.protocol == LoadProtocol::grpc_health)
            grpc_.emplace(options.host, port, options.timeout);
        else
            http_.emplace(options.host, port, options.timeout, probe::HttpVersion::http1_1,
                          options.ca_file);
    }

    Answer next() {
        if (grpc_) {
            auto health = grpc_->check();
            return {std::move(health.http), health.ok()};
        }
        auto response = http_->get(options_.path);
        bool ok = response.ok() && response.status < 500;
        return {std::move(response), ok};
    }

  private:
    const LoadOptions& options_;
    std::optional<probe::HttpClient> http_;
    std::optional<probe::GrpcHealthClient> grpc_;
};

}  // namespace

std::string answering_backend(const std::string& x_upstream) {
    auto last = x_upstream.rfind(',');
    return util::trim(last == std::string::npos ? x_upstream : x_upstream.substr(last + 1));
}

LoadResult run_load(const LoadOptions& options) {
    using Clock = std::chrono::steady_clock;
    LoadResult result;
    std::mutex mutex;
    std::atomic<int> next{0};
    std::atomic<bool> triggered{false};
    const auto start = Clock::now();
    auto seconds_since_start = [&] {
        return std::chrono::duration<double>(Clock::now() - start).count();
    };

    auto worker = [&] {
        Requester requester(options);
        while (true) {
            int index = next.fetch_add(1);
            if (index >= options.requests) return;
            if (options.rate > 0) {
                // Request I is due at I/rate: a steady rate, not a burst after a slow answer.
                auto due = start + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(index / options.rate));
                std::this_thread::sleep_until(due);
            }
            if (index == options.trigger_at_request && options.trigger &&
                !triggered.exchange(true)) {
                double at = seconds_since_start();
                options.trigger();
                double done = seconds_since_start();
                std::lock_guard lock(mutex);
                result.trigger_at = at;
                result.trigger_done = done;
            }
            double sent_at = seconds_since_start();
            auto [response, ok] = requester.next();
            RequestSample sample;
            sample.at = sent_at;
            sample.status = response.status;
            sample.ok = ok;
            sample.latency = seconds_since_start() - sent_at;
            if (auto upstream = response.header("X-Upstream"))
                sample.backend = answering_backend(*upstream);
            std::lock_guard lock(mutex);
            result.samples.push_back(sample);
            if (response.ok())
                result.latencies.push_back(std::chrono::duration<double>(response.elapsed).count());
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < std::max(1, options.concurrency); ++i) threads.emplace_back(worker);
    for (auto& thread : threads) thread.join();
    result.seconds = seconds_since_start();
    std::sort(result.samples.begin(), result.samples.end(),
              [](const RequestSample& a, const RequestSample& b) { return a.at < b.at; });
    return result;
}

LatencySummary summarize(const LoadResult& result) {
    LatencySummary summary;
    auto latencies = result.latencies;
    if (latencies.empty()) return summary;
    std::sort(latencies.begin(), latencies.end());
    auto at = [&](double q) {
        return latencies[std::min(latencies.size() - 1,
                                  static_cast<std::size_t>(q * latencies.size()))];
    };
    summary.p50 = at(0.50);
    summary.p95 = at(0.95);
    summary.p99 = at(0.99);
    summary.throughput = result.seconds > 0 ? latencies.size() / result.seconds : 0;
    return summary;
}

}  // namespace labctl::probe
