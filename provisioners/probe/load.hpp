// Steady traffic through a load balancer, as `labctl kill` and `verify --load` need: a fixed
// rate (or as fast as C connections allow), every answer recorded with its time, status and
// the backend nginx names in X-Upstream. HTTP/1.1 GETs, or gRPC health calls over HTTP/2
// for a gRPC balancer.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <map>

namespace labctl::probe {

struct RequestSample {
    double at = 0;        // seconds since the load started
    bool ok = false;      // answered: HTTP status < 500, or gRPC health SERVING
    std::string backend;  // from X-Upstream; empty when none answered
    int status = 0;       // HTTP status, 0 on transport error
    double latency = 0;   // seconds until the answer (or the error)
};

using Split = std::map<std::string, int>;  // backend "addr:port" -> requests answered
// "a:1 34 (34%), b:2 66 (66%)", or "no answers".
std::string describe_split(const Split& split);

enum class LoadProtocol {
    http,         // GET PATH over HTTP/1.1; a status below 500 counts as answered
    grpc_health,  // grpc.health.v1.Health/Check over h2c; SERVING counts as answered
};

struct LoadOptions {
    LoadProtocol protocol = LoadProtocol::http;
    std::string host;
    int port = 80;
    std::string path = "/";  // http only
    std::string ca_file;     // http only: non-empty for HTTPS checked against this CA
    int requests = 600;
    double rate = 0;  // requests per second over all connections; 0: as fast as possible
    int concurrency = 1;
    std::chrono::milliseconds timeout{3000};
    // Called (from one of the load threads) once the first AT_REQUEST requests were sent.
    int trigger_at_request = -1;
    std::function<void()> trigger;
};

struct LoadResult {
    std::vector<RequestSample> samples;  // sorted by time
    std::vector<double> latencies;       // seconds, of answered requests
    double seconds = 0;                  // wall time of the whole run
    double trigger_at = -1;              // when the trigger started, seconds since the start
    double trigger_done = -1;            // when it returned
};

LoadResult run_load(const LoadOptions& options);

struct LatencySummary {
    double throughput = 0;  // answered requests per second
    double p50 = 0, p95 = 0, p99 = 0;
};
LatencySummary summarize(const LoadResult& result);

// "addr:port" from an X-Upstream value; nginx lists every backend it tried ("a:1, b:2"), and
// the last one is the one that answered.
std::string answering_backend(const std::string& x_upstream);

}  // namespace labctl::probe
