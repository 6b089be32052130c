#include "services/nginx/nginx_spread.hpp"

#include <fmt/format.h>

#include <cmath>

namespace labctl::services {

SpreadVerdict judge_spread(const std::string& strategy, const std::map<std::string, int>& weights,
                           const Split& seen, double tolerance) {
    SpreadVerdict verdict;
    int total = 0, weight_sum = 0;
    for (const auto& [backend, count] : seen) total += count;
    for (const auto& [backend, weight] : weights) weight_sum += weight;
    if (total == 0) {
        verdict.detail = "no request was answered";
        return verdict;
    }
    std::string unexpected;
    for (const auto& [backend, count] : seen)
        if (!weights.count(backend)) unexpected += (unexpected.empty() ? "" : ", ") + backend;
    if (!unexpected.empty()) {
        verdict.detail = "answers from backends not in the pool: " + unexpected;
        return verdict;
    }
    bool proportional = strategy == "round_robin" || strategy == "random";
    bool ok = true;
    std::string detail;
    for (const auto& [backend, weight] : weights) {
        auto it = seen.find(backend);
        int count = it == seen.end() ? 0 : it->second;
        double share = static_cast<double>(count) / total;
        double expected = weight_sum ? static_cast<double>(weight) / weight_sum : 0;
        if (!detail.empty()) detail += ", ";
        if (proportional) {
            detail +=
                fmt::format("{} {:.0f}% (expected {:.0f}%)", backend, 100 * share, 100 * expected);
            if (std::fabs(share - expected) > tolerance) ok = false;
        } else {
            detail += fmt::format("{} {:.0f}%", backend, 100 * share);
            // ip_hash sends one client to one backend by design; least_conn must still use all.
            if (count == 0 && strategy == "least_conn") ok = false;
        }
    }
    verdict.ok = ok;
    verdict.detail = detail;
    return verdict;
}

}  // namespace labctl::services
