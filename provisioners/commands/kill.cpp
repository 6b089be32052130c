// `labctl kill` and `labctl revive`: break an app instance or a node while steady traffic
// runs through the load balancer in front of it, and report the failover as numbers.
#include <fmt/format.h>

#include "commands/fault_session.hpp"
#include "commands/lab_commands.hpp"
#include "util/stamp.hpp"

namespace labctl::commands {

namespace {

void print_report(std::ostream& out, const verify::FaultTarget& target,
                  const verify::FailoverReport& report, double fault_at, double seconds,
                  const std::string& fault_text) {
    out << util::stamp(0) << "traffic through " << target.balancer->name << " on "
        << target.balancer_node->name << " (" << target.balancer_node->address() << ":"
        << target.balancing.port << ")\n";
    out << util::stamp(fault_at) << "fault: " << fault_text << "\n";
    if (report.failed_during > 0)
        out << util::stamp(fault_at + report.failover_seconds) << report.failed_during
            << " request(s) failed between the fault and here\n";
    out << util::stamp(seconds) << "traffic done: " << report.requests << " requests, "
        << report.failed << " failed";
    const char* separator = ": ";
    for (const auto& [error, count] : report.errors) {
        out << separator << count << " " << error;
        separator = ", ";
    }
    out << "\n";
    out << fmt::format("failover: {:.2f} s from the fault to the last failed request{}\n",
                       report.failover_seconds, report.failed == 0 ? " (no request failed)" : "");
    out << fmt::format(
        "slowest answer after the fault: {:.2f} s (a dead backend costs up to connect_timeout = "
        "{})\n",
        report.worst_latency_after_fault, target.balancing.connect_timeout.text);
    for (const auto& recovery : report.recoveries)
        out << fmt::format("recovery: {} {} {:.1f} s after the fault{}\n", recovery.service,
                           recovery.ok ? "whole again" : "NOT whole", recovery.seconds,
                           recovery.detail.empty() ? "" : " (" + recovery.detail + ")");
    out << "split before: " << probe::describe_split(report.split_before) << "\n";
    out << "split after:  " << probe::describe_split(report.split_after) << "\n";
}

}  // namespace

int run_kill(const GlobalOptions& global, const KillOptions& options, std::ostream& out) {
    auto session = open_fault_session(global, options.target, "kill", options.mode);
    const auto& target = session->target;
    if (!options.json)
        for (const auto& warning : verify::failover_warnings(session->lab, target))
            out << "warning: " << warning << "\n";
    auto fault = make_fault(*session, options.mode);
    auto run = kill_under_load(*session, *fault, options.mode, options.requests, options.rate);
    if (options.json) {
        auto json = run.report.to_json();
        json["warnings"] = verify::failover_warnings(session->lab, target);
        out << json.dump(2) << "\n";
    } else {
        print_report(out, target, run.report, run.load.trigger_at, run.load.seconds,
                     fault->describe());
    }
    return 0;
}

int run_revive(const GlobalOptions& global, const KillOptions& options, std::ostream& out) {
    auto session = open_fault_session(global, options.target, "revive", "");
    auto faults = load_faults(session->state_dir);
    std::string mode =
        faults.contains(options.target) ? faults[options.target].get<std::string>() : "process";
    auto fault = make_fault(*session, mode);
    if (!options.json) out << util::stamp(0) << "revive: undo " << fault->describe() << "\n";
    auto run = revive_until_rejoined(*session, *fault, mode, options.rate);
    if (options.json) {
        auto json = run.report.to_json();
        json["rejoined"] = run.rejoined;
        json["seconds"] = run.seconds;
        out << json.dump(2) << "\n";
    } else {
        out << util::stamp(run.seconds)
            << (run.rejoined ? "rejoined the pool" : "NOT back in the pool")
            << "; split until then: " << probe::describe_split(run.report.split_before) << "\n";
    }
    return run.rejoined ? 0 : 1;
}

}  // namespace labctl::commands
