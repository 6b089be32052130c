#include "verify/failover.hpp"

namespace labctl::verify {

FailoverReport analyse_failover(const std::vector<RequestSample>& samples, double fault_at,
                                double fault_done) {
    FailoverReport report;
    report.requests = static_cast<int>(samples.size());
    double last_failure = -1;
    for (const auto& sample : samples)
        if (!sample.ok && sample.at >= fault_at) last_failure = std::max(last_failure, sample.at);
    double settled_at = std::max(fault_done, last_failure >= 0 ? last_failure : fault_at);
    report.failover_seconds = last_failure >= 0 ? last_failure - fault_at : 0;
    for (const auto& sample : samples) {
        if (sample.at >= fault_at)
            report.worst_latency_after_fault =
                std::max(report.worst_latency_after_fault, sample.latency);
        if (!sample.ok) {
            ++report.failed;
            ++report.errors[sample.status == 0 ? "no answer (transport error)"
                                               : "HTTP " + std::to_string(sample.status)];
            if (sample.at < fault_at)
                ++report.failed_before;
            else if (sample.at <= settled_at)
                ++report.failed_during;
            else
                ++report.failed_after;
            continue;
        }
        if (sample.at < fault_at)
            ++report.split_before[sample.backend];
        else if (sample.at > settled_at)
            ++report.split_after[sample.backend];
    }
    return report;
}

nlohmann::json FailoverReport::to_json() const {
    return {{"target", target},
            {"mode", mode},
            {"requests", requests},
            {"failed", failed},
            {"failed_before", failed_before},
            {"failed_during", failed_during},
            {"failed_after", failed_after},
            {"failover_seconds", failover_seconds},
            {"worst_latency_after_fault_seconds", worst_latency_after_fault},
            {"split_before", split_before},
            {"split_after", split_after},
            {"errors", errors},
            {"recovery", [&] {
                 auto list = nlohmann::json::array();
                 for (const auto& recovery : recoveries)
                     list.push_back({{"service", recovery.service},
                                     {"ok", recovery.ok},
                                     {"seconds", recovery.seconds},
                                     {"detail", recovery.detail}});
                 return list;
             }()}};
}

}  // namespace labctl::verify
