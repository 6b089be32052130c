#include "services/nginx/nginx_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "probe/load.hpp"
#include "probe/socket.hpp"
#include "services/nginx/nginx_spread.hpp"
#include "store/lab_ca.hpp"
#include "util/stamp.hpp"

namespace labctl::services {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// labctl cannot speak an app's gRPC API (it never guesses one): the balancer's port accepting
// TCP is what it can prove; a lab declares a command check for the rest.
CheckResult grpc_port(const topo::Node& node, const topo::Service& service, int port) {
    auto start = Clock::now();
    auto probe = probe::tcp_port_open(node.address(), static_cast<std::uint16_t>(port), 3s);
    return {"grpc balancer " + service.name + " on " + node.name + ":" + std::to_string(port),
            probe.open, util::seconds_since(start), probe.open ? "port accepts TCP" : probe.error};
}

CheckResult spread(CheckContext& context, const topo::Node& lb_node, const topo::Service& service,
                   const topo::Service& backend, const Balancing& balancing) {
    const auto& lab = context.lab;
    auto start = Clock::now();
    std::map<std::string, int> weights;
    for (const auto& instance : lab.instances(backend))
        if (auto address = lab.address_between(lb_node, *instance.node)) {
            auto weight = balancing.weights.find(instance.node->name);
            weights[address->str() + ":" + std::to_string(instance.port)] =
                weight == balancing.weights.end() ? 1 : weight->second;
        }
    int weight_sum = 0;
    for (const auto& [backend_name, weight] : weights) weight_sum += weight;
    probe::LoadOptions load;
    load.host = lb_node.address();
    load.port = balancing.port;
    if (balancing.tls) load.ca_file = store::lab_ca_cert_path(context.state_dir).string();
    // Whole rounds of the weighted cycle, so round robin can match exactly.
    load.requests = std::max(context.spread_requests / std::max(1, weight_sum), 1) *
                    std::max(1, weight_sum) * 3;
    auto result = probe::run_load(load);
    probe::Split split;
    int failed = 0;
    for (const auto& sample : result.samples) {
        if (sample.ok)
            ++split[sample.backend];
        else
            ++failed;
    }
    auto verdict = services::judge_spread(balancing.strategy, weights, split);
    return {
        "spread " + service.name + " on " + lb_node.name + ":" + std::to_string(balancing.port),
        verdict.ok && failed == 0, util::seconds_since(start),
        fmt::format("{} requests, {} failed; {}", result.samples.size(), failed, verdict.detail)};
}

}  // namespace

std::vector<CheckResult> balancer_checks(CheckContext& context, const topo::Service& service,
                                         const Balancing& balancing) {
    const auto* backend = context.lab.service(balancing.backend);
    std::vector<CheckResult> results;
    if (!backend) return results;
    for (const auto& on : service.on) {
        const auto* node = context.lab.node(on.value);
        if (!node) continue;
        results.push_back(balancing.http ? spread(context, *node, service, *backend, balancing)
                                         : grpc_port(*node, service, balancing.port));
    }
    return results;
}

}  // namespace labctl::services
