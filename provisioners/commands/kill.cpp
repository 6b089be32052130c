// `labctl kill` and `labctl revive`: break an app instance or a node while steady traffic
// runs through the load balancer in front of it, and report the failover as numbers.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <set>

#include "commands/lab_commands.hpp"
#include "commands/node_readiness.hpp"
#include "engine/desired.hpp"
#include "engine/lab_state.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/pool.hpp"
#include "remote/session.hpp"
#include "topology/loader.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/paths.hpp"
#include "verify/checks.hpp"
#include "verify/fault.hpp"
#include "verify/loadgen.hpp"
#include "verify/target.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

namespace {

using Clock = std::chrono::steady_clock;

// Which targets are broken and how, so `revive` undoes the right thing.
std::filesystem::path faults_path(const std::filesystem::path& state_dir) {
    return state_dir / "faults.json";
}

nlohmann::json load_faults(const std::filesystem::path& state_dir) {
    auto path = faults_path(state_dir);
    if (!std::filesystem::exists(path)) return nlohmann::json::object();
    auto json = nlohmann::json::parse(util::read_file(path), nullptr, false);
    return json.is_object() ? json : nlohmann::json::object();
}

void save_faults(const std::filesystem::path& state_dir, const nlohmann::json& faults) {
    util::write_file_atomic(faults_path(state_dir), faults.dump(2) + "\n", 0600);
}

struct FaultSession {
    topo::Lab lab;
    std::filesystem::path state_dir;
    std::optional<engine::LabLock> lock;
    remote::LabSsh lab_ssh;
    std::unique_ptr<remote::SessionPool> pool;
    std::unique_ptr<virt::Connection> connection;
    verify::FaultTarget target;
};

std::unique_ptr<FaultSession> open_fault_session(const GlobalOptions& global,
                                                 const KillOptions& options,
                                                 const std::string& verb) {
    auto lab = topo::load_lab_or_throw(global.file);
    auto state_dir = util::lab_state_dir(lab.lab.name);
    auto target = verify::resolve_fault_target(lab, options.target);  // bad input first: exit 2
    auto session = std::unique_ptr<FaultSession>(new FaultSession{std::move(lab),
                                                                  state_dir,
                                                                  std::nullopt,
                                                                  remote::open_lab_ssh(state_dir),
                                                                  nullptr,
                                                                  nullptr,
                                                                  {}});
    // Resolve again against the session's own copy of the lab: the target points into it.
    session->target = verify::resolve_fault_target(session->lab, options.target);
    session->lock.emplace(state_dir, session->lab.lab.name, verb);
    auto* raw = session.get();
    session->pool = std::make_unique<remote::SessionPool>([raw](const std::string& node) {
        return remote::connect_options(raw->lab_ssh, *raw->lab.node(node));
    });
    return session;
}

std::unique_ptr<verify::Fault> make_fault(FaultSession& session, const std::string& mode) {
    if (mode == "process") return verify::make_process_fault(session.target, *session.pool);
    auto record = engine::load_record(session.state_dir);
    if (!record)
        throw InfraError("lab " + session.lab.lab.name +
                         " is not up (no state): run labctl up first");
    session.connection = std::make_unique<virt::Connection>(record->uri);
    auto domain = engine::domain_name(session.lab.lab.name, session.target.node->name);
    if (mode == "poweroff") {
        auto* pool = session.pool.get();
        const topo::Node* node = session.target.node;
        return verify::make_poweroff_fault(
            session.target, *session.connection, domain, [pool, node] {
                pool->forget(node->name);
                pool->get(node->name);  // connects with backoff until the node answers again
                // ...and back means every NIC has its address again, not only the first.
                commands::await_planned_addresses(*node, *pool, std::chrono::seconds(60));
            });
    }
    if (mode == "link-down")
        return verify::make_link_fault(session.lab, session.target, *session.connection, domain);
    throw InputError("unknown mode `" + mode + "` (known: process, poweroff, link-down)");
}

std::string stamp(double seconds) {
    return fmt::format("[{:6.2f}s] ", seconds);
}

void print_report(std::ostream& out, const verify::FaultTarget& target,
                  const verify::FailoverReport& report, double fault_at, double seconds,
                  const std::string& fault_text) {
    out << stamp(0) << "traffic through " << target.balancer->name << " on "
        << target.balancer_node->name << " (" << target.balancer_node->address() << ":"
        << target.balancer->nginx().listen << ")\n";
    out << stamp(fault_at) << "fault: " << fault_text << "\n";
    if (report.failed_during > 0)
        out << stamp(fault_at + report.failover_seconds) << report.failed_during
            << " request(s) failed between the fault and here\n";
    out << stamp(seconds) << "traffic done: " << report.requests << " requests, " << report.failed
        << " failed\n";
    out << fmt::format("failover: {:.2f} s from the fault to the last failed request{}\n",
                       report.failover_seconds, report.failed == 0 ? " (no request failed)" : "");
    out << fmt::format(
        "slowest answer after the fault: {:.2f} s (a dead backend costs up to connect_timeout = "
        "{})\n",
        report.worst_latency_after_fault, target.balancer->nginx().connect_timeout.text);
    out << "split before: " << verify::describe_split(report.split_before) << "\n";
    out << "split after:  " << verify::describe_split(report.split_after) << "\n";
}

}  // namespace

int run_kill(const GlobalOptions& global, const KillOptions& options, std::ostream& out) {
    auto session = open_fault_session(global, options, "kill");
    const auto& target = session->target;
    if (!options.json)
        for (const auto& warning : verify::failover_warnings(session->lab, target))
            out << "warning: " << warning << "\n";
    auto fault = make_fault(*session, options.mode);

    verify::LoadOptions load;
    load.host = target.balancer_node->address();
    load.port = target.balancer->nginx().listen;
    load.requests = options.requests;
    load.rate = options.rate;
    // Enough connections that one stuck on a dead backend does not stall the steady rate.
    load.concurrency = 8;
    load.trigger_at_request = options.requests / 3;
    std::string fault_error;
    load.trigger = [&] {
        try {
            fault->inject();
        } catch (const std::exception& error) {
            fault_error = error.what();
        }
    };
    auto result = verify::run_load(load);
    if (!fault_error.empty())
        throw InfraError("injecting the fault failed: " + fault_error, target.node->name, "kill");

    auto faults = load_faults(session->state_dir);
    faults[options.target] = options.mode;
    save_faults(session->state_dir, faults);

    auto report = verify::analyse_failover(result.samples, result.trigger_at, result.trigger_done);
    report.target = options.target;
    report.mode = options.mode;
    if (options.json) {
        auto json = report.to_json();
        json["warnings"] = verify::failover_warnings(session->lab, target);
        out << json.dump(2) << "\n";
    } else {
        print_report(out, target, report, result.trigger_at, result.seconds, fault->describe());
    }
    return 0;
}

int run_revive(const GlobalOptions& global, const KillOptions& options, std::ostream& out) {
    auto session = open_fault_session(global, options, "revive");
    const auto& target = session->target;
    auto faults = load_faults(session->state_dir);
    std::string mode =
        faults.contains(options.target) ? faults[options.target].get<std::string>() : "process";
    auto fault = make_fault(*session, mode);
    auto start = Clock::now();
    auto since = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    if (!options.json) out << stamp(0) << "revive: undo " << fault->describe() << "\n";
    fault->undo();
    faults.erase(options.target);
    save_faults(session->state_dir, faults);

    // The backend is back when the balancer sends it traffic again: nginx retries a failed
    // server after fail_timeout, so keep asking until then (and a little more).
    std::set<std::string> wanted;
    for (const auto& instance : target.instances)
        if (auto address = session->lab.address_between(*target.balancer_node, *instance.node))
            wanted.insert(address->str() + ":" + std::to_string(instance.port));
    double deadline = target.balancer->nginx().fail_timeout.seconds + 30;
    verify::LoadOptions load;
    load.host = target.balancer_node->address();
    load.port = target.balancer->nginx().listen;
    load.requests = 50;
    load.rate = options.rate;
    verify::FailoverReport report;
    report.target = options.target;
    report.mode = mode;
    bool back = false;
    while (!back && since() < deadline) {
        auto result = verify::run_load(load);
        for (const auto& sample : result.samples) {
            ++report.requests;
            if (!sample.ok) {
                ++report.failed;
                continue;
            }
            (back ? report.split_after : report.split_before)[sample.backend]++;
            if (wanted.count(sample.backend)) back = true;
        }
    }
    if (options.json) {
        auto json = report.to_json();
        json["rejoined"] = back;
        json["seconds"] = since();
        out << json.dump(2) << "\n";
    } else {
        out << stamp(since()) << (back ? "rejoined the pool" : "NOT back in the pool")
            << "; split until then: " << verify::describe_split(report.split_before) << "\n";
    }
    return back ? 0 : 1;
}

}  // namespace labctl::commands
