#include "verify/checks.hpp"

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <set>
#include <sstream>

#include "probe/http.hpp"
#include "probe/socket.hpp"
#include "probe/stomp.hpp"
#include "remote/session.hpp"
#include "util/parallel.hpp"
#include "util/retry.hpp"
#include "util/secrets.hpp"
#include "util/strings.hpp"
#include "verify/loadgen.hpp"
#include "verify/spread.hpp"

namespace labctl::verify {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// One SSH round trip per source node: ping and TCP/22 to every target, one line each.
// Each probe gets three tries: one lost packet or SYN on a loaded host is not a partition
// (seen once in 20 generated labs: a 9-node lab, every node probing every other at once,
// `icmp ok, tcp/22 FAILED` to a node whose sshd answered before and after).
const char* reach_script = R"(tries() { for _ in 1 2 3; do "$@" && return 0; done; return 1; }
for t in "$@"; do
  if tries ping -c 1 -W 1 "$t" >/dev/null 2>&1; then i=1; else i=0; fi
  if tries timeout 2 bash -c "exec 3<>/dev/tcp/$t/22" 2>/dev/null; then p=1; else p=0; fi
  echo "$t $i $p"
done)";

// RabbitMQ's lab user and its generated password; ActiveMQ needs no login.
probe::StompCredentials broker_credentials(const std::filesystem::path& state_dir,
                                           const topo::Service& broker) {
    probe::StompCredentials credentials;
    if (broker.type == topo::ServiceType::rabbitmq) {
        credentials.login = broker.broker().user;
        credentials.passcode = util::read_secret(state_dir, "rabbitmq-" + broker.name).value_or("");
    }
    return credentials;
}

void check_grpc_balancer(VerifyContext& context, const topo::Service& balancer, Report& report) {
    for (const auto& on : balancer.on) {
        const auto* node = context.lab.node(on.value);
        auto start = Clock::now();
        auto port = balancer.nginx().listen;
        auto probe = probe::tcp_port_open(node->address(), static_cast<std::uint16_t>(port), 3s);
        report.checks.push_back(
            {"grpc balancer " + balancer.name + " on " + node->name + ":" + std::to_string(port),
             probe.open, since(start), probe.open ? "port accepts TCP" : probe.error});
    }
}

}  // namespace

void check_reachability(VerifyContext& context, Report& report, ReachabilityMatrix* matrix) {
    const auto& lab = context.lab;
    struct Probe {
        std::string network, target, address;
    };
    struct Source {
        const topo::Node* node;
        std::vector<Probe> probes;
    };
    std::vector<Source> sources;
    for (const auto& source : lab.nodes) {
        std::vector<Probe> probes;
        for (const auto& nic : source.nics)
            for (const auto& target : lab.nodes)
                if (&target != &source)
                    if (const auto* target_nic = target.nic(nic.network))
                        probes.push_back({nic.network, target.name, target_nic->planned.str()});
        if (!probes.empty()) sources.push_back({&source, std::move(probes)});
    }
    std::vector<std::vector<Check>> results(sources.size());
    util::parallel_for(sources.size(), context.width(sources.size()), [&](std::size_t k) {
        const auto& source = *sources[k].node;
        const auto& probes = sources[k].probes;
        auto& checks = results[k];
        auto start = Clock::now();
        std::vector<std::string> argv{"bash", "-c", reach_script, "reach"};
        for (const auto& probe : probes) argv.push_back(probe.address);
        std::map<std::string, std::pair<bool, bool>> seen;
        std::string failure;
        try {
            remote::RunOptions options;
            options.timeout = 60s;
            options.step = "verify reachability";
            auto result = context.ssh.get(source.name).run(argv, options);
            std::istringstream lines(result.out);
            std::string address;
            int icmp = 0, tcp = 0;
            while (lines >> address >> icmp >> tcp) seen[address] = {icmp == 1, tcp == 1};
        } catch (const std::exception& error) {
            failure = error.what();
        }
        double seconds = since(start) / probes.size();
        for (const auto& probe : probes) {
            auto it = seen.find(probe.address);
            bool icmp = it != seen.end() && it->second.first;
            bool tcp = it != seen.end() && it->second.second;
            std::string detail = !failure.empty()
                                     ? "ssh to " + source.name + " failed: " + failure
                                     : fmt::format("{} icmp {}, tcp/22 {}", probe.address,
                                                   icmp ? "ok" : "FAILED", tcp ? "ok" : "FAILED");
            checks.push_back({"reach " + source.name + "->" + probe.target + " " + probe.network,
                              icmp && tcp, seconds, detail});
        }
    });
    for (auto& checks : results)
        for (auto& check : checks) {
            if (matrix) {
                // "reach a->b net": split the name back into the matrix cell.
                auto arrow = check.name.find("->");
                auto space = check.name.rfind(' ');
                matrix->cells[check.name.substr(space + 1)][check.name.substr(6, arrow - 6)]
                             [check.name.substr(arrow + 2, space - arrow - 2)] = check.ok;
            }
            report.checks.push_back(std::move(check));
        }
}

InstanceHealth probe_instance(const topo::Lab& lab, const topo::Instance& instance,
                              const std::filesystem::path& state_dir) {
    (void)lab;
    auto start = Clock::now();
    const auto& service = *instance.service;
    std::string address = instance.node->address();
    auto port = static_cast<std::uint16_t>(instance.port);
    InstanceHealth health;
    switch (service.type) {
        case topo::ServiceType::app:
            if (service.app().protocol == topo::Protocol::grpc) {
                auto probe = probe::tcp_port_open(address, port, 2s);
                health = {probe.open, probe.open ? "gRPC port open" : probe.error};
            } else {
                auto response = probe::http_get(address, port, service.app().health, 2s);
                health = {response.status == 200, response.ok()
                                                      ? "HTTP " + std::to_string(response.status)
                                                      : response.error};
            }
            break;
        case topo::ServiceType::activemq:
        case topo::ServiceType::rabbitmq: {
            auto result =
                probe::stomp_connect(address, port, broker_credentials(state_dir, service), 5s);
            health = {result.connected,
                      result.connected ? "CONNECTED " + result.server : result.error};
            break;
        }
        default: {
            auto probe = probe::tcp_port_open(address, port, 2s);
            health = {probe.open, probe.open ? "port open" : probe.error};
        }
    }
    health.seconds = since(start);
    return health;
}

void check_services(VerifyContext& context, Report& report) {
    const auto& lab = context.lab;
    std::vector<topo::Instance> instances;
    for (const auto& service : lab.services)
        for (const auto& instance : lab.instances(service)) instances.push_back(instance);
    std::vector<Check> results(instances.size());
    util::parallel_for(instances.size(), context.width(instances.size()), [&](std::size_t k) {
        const auto& instance = instances[k];
        auto health = probe_instance(context.lab, instance, context.state_dir);
        std::string what = instance.service->is_broker()                      ? "stomp "
                           : instance.service->type == topo::ServiceType::app ? "health "
                                                                              : "port ";
        results[k] = Check{what + instance.name + " " + instance.node->address() + ":" +
                               std::to_string(instance.port),
                           health.healthy, health.seconds, health.detail};
    });
    for (auto& check : results) report.checks.push_back(std::move(check));
}

void check_spread(VerifyContext& context, Report& report) {
    const auto& lab = context.lab;
    for (const auto& service : lab.services) {
        if (service.type != topo::ServiceType::nginx) continue;
        const auto& settings = service.nginx();
        const auto* backend = lab.service(settings.backend.value);
        if (!backend) continue;
        // labctl cannot speak an app's gRPC API (it never guesses one): the balancer's port
        // accepting TCP is what it can prove; a lab declares a command check for the rest.
        if (backend->app().protocol == topo::Protocol::grpc) {
            check_grpc_balancer(context, service, report);
            continue;
        }
        for (const auto& on : service.on) {
            const auto* lb_node = lab.node(on.value);
            auto start = Clock::now();
            std::map<std::string, int> weights;
            for (const auto& instance : lab.instances(*backend))
                if (auto address = lab.address_between(*lb_node, *instance.node))
                    weights[address->str() + ":" + std::to_string(instance.port)] =
                        settings.weight_of(instance.node->name);
            int weight_sum = 0;
            for (const auto& [backend_name, weight] : weights) weight_sum += weight;
            LoadOptions load;
            load.host = lb_node->address();
            load.port = settings.listen;
            // Whole rounds of the weighted cycle, so round robin can match exactly.
            load.requests = std::max(context.spread_requests / std::max(1, weight_sum), 1) *
                            std::max(1, weight_sum) * 3;
            auto result = run_load(load);
            Split split;
            int failed = 0;
            for (const auto& sample : result.samples) {
                if (sample.ok)
                    ++split[sample.backend];
                else
                    ++failed;
            }
            auto verdict = judge_spread(settings.strategy, weights, split);
            Check check{"spread " + service.name + " on " + lb_node->name + ":" +
                            std::to_string(settings.listen),
                        verdict.ok && failed == 0, since(start),
                        fmt::format("{} requests, {} failed; {}", result.samples.size(), failed,
                                    verdict.detail)};
            report.checks.push_back(check);
        }
    }
}

void check_broker_relay(VerifyContext& context, Report& report) {
    for (const auto& service : context.lab.services) {
        if (!service.is_broker()) continue;
        for (const auto& instance : context.lab.instances(service)) {
            auto start = Clock::now();
            auto result = probe::stomp_relay(instance.node->address(),
                                             static_cast<std::uint16_t>(instance.port),
                                             broker_credentials(context.state_dir, service), 15s);
            report.checks.push_back(
                {"relay " + instance.name + " (publish on one connection, receive on another)",
                 result.relayed, since(start),
                 result.relayed ? fmt::format("latency {:.1f} ms", result.latency.count() / 1000.0)
                                : result.error});
        }
    }
}

void check_replication(VerifyContext& context, Report& report) {
    const auto& lab = context.lab;
    for (const auto& service : lab.services) {
        if (service.type != topo::ServiceType::mysql) continue;
        const auto& settings = service.mysql();
        auto start = Clock::now();
        std::string token = util::random_token(16);
        remote::RunOptions write;
        write.sudo = true;
        write.step = "verify replication";
        write.timeout = 30s;
        write.input =
            "CREATE DATABASE IF NOT EXISTS labctl_verify;\n"
            "CREATE TABLE IF NOT EXISTS labctl_verify.probe (token VARCHAR(64) PRIMARY KEY, "
            "at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3));\n"
            "INSERT INTO labctl_verify.probe (token) VALUES ('" +
            token + "');\n";
        std::string write_error;
        try {
            auto result = context.ssh.get(settings.primary.value).run({"mysql", "-N"}, write);
            if (result.exit_code != 0) write_error = util::trim(result.err);
        } catch (const std::exception& error) {
            write_error = error.what();
        }
        if (!write_error.empty()) {
            report.checks.push_back(
                {"replication " + service.name + " write on " + settings.primary.value, false,
                 since(start), write_error});
            continue;
        }
        double written_at = since(start);
        const auto& replicas = settings.replicas;
        std::vector<Check> results(replicas.size());
        util::parallel_for(replicas.size(), context.width(replicas.size()), [&](std::size_t k) {
            const auto& replica = replicas[k];
            std::string name =
                "replication " + service.name + " " + settings.primary.value + "->" + replica.value;
            remote::RunOptions read;
            read.sudo = true;
            read.step = "verify replication";
            read.timeout = 10s;
            read.input =
                "SELECT COUNT(*) FROM labctl_verify.probe WHERE token = '" + token + "';\n";
            std::string last_error = "row not replicated within 20 s";
            auto replicated = util::retry_until(
                Clock::now() + 20s, {50ms, 1000ms}, [&](int) -> std::optional<std::string> {
                    try {
                        auto result = context.ssh.get(replica.value).run({"mysql", "-N"}, read);
                        if (result.exit_code == 0 && util::trim(result.out) == "1")
                            return std::nullopt;
                        if (result.exit_code != 0) last_error = util::trim(result.err);
                    } catch (const std::exception& error) {
                        last_error = error.what();
                    }
                    return last_error;
                });
            results[k] = replicated.done
                             ? Check{name, true, since(start),
                                     fmt::format("row read on the replica {:.2f}s after the write",
                                                 since(start) - written_at)}
                             : Check{name, false, since(start), last_error};
        });
        for (auto& check : results) report.checks.push_back(std::move(check));
    }
}

Report run_checks(VerifyContext& context, ReachabilityMatrix* matrix) {
    Report report;
    check_reachability(context, report, matrix);
    check_services(context, report);
    check_spread(context, report);
    check_broker_relay(context, report);
    check_replication(context, report);
    return report;
}

void ReachabilityMatrix::print(std::ostream& out) const {
    for (const auto& [network, rows] : cells) {
        std::set<std::string> targets;
        for (const auto& [source, row] : rows)
            for (const auto& [target, ok] : row) targets.insert(target);
        std::size_t width = network.size();
        for (const auto& [source, row] : rows) width = std::max(width, source.size());
        out << fmt::format("{:<{}}", network, width);
        for (const auto& target : targets) out << "  " << target;
        out << "\n";
        for (const auto& [source, row] : rows) {
            out << fmt::format("{:<{}}", source, width);
            for (const auto& target : targets) {
                auto it = row.find(target);
                // One display column per mark; pad by hand since ✓ and ✗ are several bytes.
                std::string mark = it == row.end() ? "-" : it->second ? "✓" : "✗";
                std::size_t left = (target.size() - 1) / 2;
                out << "  " << std::string(left, ' ') << mark
                    << std::string(target.size() - 1 - left, ' ');
            }
            out << "\n";
        }
    }
}

}  // namespace labctl::verify
