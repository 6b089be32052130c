#include "commands/fault_session.hpp"

#include <set>

#include "commands/lab_loading.hpp"
#include "commands/node_readiness.hpp"
#include "engine/desired.hpp"
#include "labfile/loader.hpp"
#include "services/registry.hpp"
#include "store/lab_ca.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/retry.hpp"
#include "verify/recovery.hpp"

namespace labctl::commands {

namespace {

using Clock = std::chrono::steady_clock;

std::filesystem::path faults_path(const std::filesystem::path& state_dir) {
    return state_dir / "faults.json";
}

}  // namespace

nlohmann::json load_faults(const std::filesystem::path& state_dir) {
    auto path = faults_path(state_dir);
    if (!std::filesystem::exists(path)) return nlohmann::json::object();
    auto json = nlohmann::json::parse(util::read_file(path), nullptr, false);
    return json.is_object() ? json : nlohmann::json::object();
}

void save_faults(const std::filesystem::path& state_dir, const nlohmann::json& faults) {
    util::write_file_atomic(faults_path(state_dir), faults.dump(2) + "\n", 0600);
}

namespace {

// MODE that cannot work on TARGET, refused before anything is opened or changed (exit 2).
void refuse_mode(const topo::Lab& lab, const verify::FaultTarget& target, const std::string& mode) {
    if (mode != "process") return;
    // Tasks a cluster schedules (a swarm's) are no unit labctl started on that node: there is
    // no process of ours to kill, and the cluster would restart one anyway.
    for (const auto& instance : target.instances)
        if (services::kind_of(*instance.service)
                .recovery_probe(lab, *instance.service, *target.node))
            throw InputError("`" + target.text + "`: " + instance.service->name +
                             " runs as tasks its cluster places, not as a process labctl "
                             "started there; use --mode poweroff or --mode link-down");
}

}  // namespace

std::unique_ptr<FaultSession> open_fault_session(const GlobalOptions& global,
                                                 const std::string& target, const std::string& verb,
                                                 const std::string& mode) {
    auto lab = load_lab(global);
    auto state_dir = store::lab_state_dir(lab.lab.name);
    refuse_mode(lab, verify::resolve_fault_target(lab, target), mode);  // bad input first: exit 2
    auto session = std::unique_ptr<FaultSession>(new FaultSession{std::move(lab),
                                                                  state_dir,
                                                                  std::nullopt,
                                                                  remote::open_lab_ssh(state_dir),
                                                                  nullptr,
                                                                  nullptr,
                                                                  {}});
    // Resolve against the session's own copy of the lab: the target points into it.
    session->target = verify::resolve_fault_target(session->lab, target);
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
    // The target's own host: a node on another host is powered off or unplugged there (an LXC
    // NIC's host side through that host's programs, so link-down opens its shell too).
    session.hosts = std::make_unique<engine::LabConnections>(*record, "", session.state_dir,
                                                             mode == "link-down");
    const std::string& node_name = session.target.node->name;
    auto& connection = session.hosts->connection(node_name);
    auto domain = engine::domain_name(session.lab.lab.name, session.target.node->name);
    if (mode == "poweroff") {
        auto* pool = session.pool.get();
        const topo::Node* node = session.target.node;
        return verify::make_poweroff_fault(session.target, connection, domain, [pool, node] {
            pool->forget(node->name);
            pool->get(node->name);  // connects with backoff until the node answers again
            // ...and back means every NIC has its address again, not only the first.
            await_planned_addresses(*node, *pool, std::chrono::seconds(60));
        });
    }
    if (mode == "link-down")
        return verify::make_link_fault(
            session.lab, session.target, connection, domain,
            [host = session.hosts->access(node_name)](const std::vector<std::string>& argv) {
                if (!host) return std::string("no host to run it on (libvirt's test driver)");
                try {
                    host->check(argv, "link state");
                    return std::string();
                } catch (const InfraError& error) {
                    return std::string(error.what());
                }
            });
    throw InputError("unknown mode `" + mode + "` (known: process, poweroff, link-down)");
}

KillRun kill_under_load(FaultSession& session, verify::Fault& fault, const std::string& mode,
                        int requests, double rate) {
    const auto& target = session.target;
    probe::LoadOptions load;
    load.host = target.balancer_node->address();
    load.port = target.balancing.port;
    if (target.balancing.tls) load.ca_file = store::lab_ca_cert_path(session.state_dir).string();
    load.protocol = target.protocol;
    load.requests = requests;
    load.rate = rate;
    // Enough connections that one stuck on a dead backend does not stall the steady rate.
    load.concurrency = 8;
    load.trigger_at_request = requests / 3;
    // A node taken away: services that heal themselves (a swarm's) are timed until whole.
    verify::RecoveryWatch recovery(session.lab, *target.node, *session.pool);
    bool watch = mode != "process" && !recovery.empty();
    std::string fault_error;
    load.trigger = [&] {
        try {
            if (watch) recovery.start(std::chrono::seconds(300));
            fault.inject();
        } catch (const std::exception& error) {
            fault_error = error.what();
        }
    };
    KillRun run;
    run.load = probe::run_load(load);
    if (!fault_error.empty())
        throw InfraError("injecting the fault failed: " + fault_error, target.node->name, "kill");
    auto recoveries = watch ? recovery.finish() : std::vector<verify::Recovery>{};

    auto faults = load_faults(session.state_dir);
    faults[target.text] = mode;
    save_faults(session.state_dir, faults);

    run.report =
        verify::analyse_failover(run.load.samples, run.load.trigger_at, run.load.trigger_done);
    run.report.target = target.text;
    run.report.mode = mode;
    run.report.recoveries = std::move(recoveries);
    return run;
}

ReviveRun revive_until_rejoined(FaultSession& session, verify::Fault& fault,
                                const std::string& mode, double rate) {
    const auto& target = session.target;
    auto start = Clock::now();
    auto since = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    fault.undo();  // waits for the node's SSH after a power-off
    auto back = Clock::now();
    auto faults = load_faults(session.state_dir);
    faults.erase(target.text);
    save_faults(session.state_dir, faults);

    // The backend is back when the balancer sends it traffic again: nginx retries a failed
    // server after fail_timeout, so keep asking until then (and a little more).
    std::set<std::string> wanted;
    for (const auto& instance : target.instances)
        if (auto address = session.lab.address_between(*target.balancer_node, *instance.node))
            wanted.insert(address->str() + ":" + std::to_string(instance.port));
    // Counted from the node's return: what rejoins after it (an app's unit, a swarm node's
    // Docker and its tasks) is slow on a loaded host. A CI-like run saw a swarm worker miss a
    // deadline of fail_timeout + 30 s counted from the power-on.
    double deadline = target.balancing.fail_timeout.seconds + 60;
    probe::LoadOptions load;
    load.host = target.balancer_node->address();
    load.port = target.balancing.port;
    if (target.balancing.tls) load.ca_file = store::lab_ca_cert_path(session.state_dir).string();
    load.protocol = target.protocol;
    load.requests = 50;
    load.rate = rate;
    ReviveRun run;
    run.report.target = target.text;
    run.report.mode = mode;
    // No pause between rounds: each round is itself 50 requests at RATE.
    auto until =
        back + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(deadline));
    util::retry_until(
        until, {std::chrono::milliseconds(0), std::chrono::milliseconds(0)},
        [&](int) -> std::optional<std::string> {
            auto result = probe::run_load(load);
            for (const auto& sample : result.samples) {
                ++run.report.requests;
                if (!sample.ok) {
                    ++run.report.failed;
                    continue;
                }
                (run.rejoined ? run.report.split_after : run.report.split_before)[sample.backend]++;
                if (wanted.count(sample.backend)) run.rejoined = true;
            }
            if (run.rejoined) return std::nullopt;
            return "not back in the pool";
        });
    run.seconds = since();
    return run;
}

}  // namespace labctl::commands
