#include "commands/declared_failover.hpp"

#include <fmt/format.h>

#include "commands/fault_session.hpp"

namespace labctl::commands {

namespace {

using Clock = std::chrono::steady_clock;

// As `labctl kill`'s defaults: six seconds of steady traffic, the fault after two.
constexpr int failover_requests = 600;
constexpr double failover_rate = 100;

verify::Check run_failover_check(const GlobalOptions& global, const topo::DeclaredCheck& declared) {
    auto start = Clock::now();
    auto session = open_fault_session(global, declared.target.value, "check", declared.mode);
    auto fault = make_fault(*session, declared.mode);
    auto kill = kill_under_load(*session, *fault, declared.mode, failover_requests, failover_rate);
    // Revived whatever the verdict: a check leaves the lab as it found it.
    auto revive = revive_until_rejoined(*session, *fault, declared.mode, failover_rate);
    const auto& report = kill.report;
    bool ok = report.failed <= declared.max_failed &&
              (!declared.max_seconds || report.failover_seconds <= *declared.max_seconds) &&
              revive.rejoined;
    std::string detail = fmt::format(
        "{}: {} of {} requests failed (at most {}), failover {:.2f} s{}", fault->describe(),
        report.failed, report.requests, declared.max_failed, report.failover_seconds,
        declared.max_seconds ? fmt::format(" (at most {:.2f} s)", *declared.max_seconds) : "");
    detail += revive.rejoined
                  ? fmt::format("; revived, back in the pool after {:.2f} s", revive.seconds)
                  : "; revived but NOT back in the pool";
    return {declared.name, ok, std::chrono::duration<double>(Clock::now() - start).count(), detail};
}

}  // namespace

verify::FailoverRunner declared_failover_runner(const GlobalOptions& global) {
    return [global](const topo::DeclaredCheck& declared) {
        return run_failover_check(global, declared);
    };
}

}  // namespace labctl::commands
