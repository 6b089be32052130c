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
#include "services/registry.hpp"
#include "store/secrets.hpp"
#include "util/parallel.hpp"
#include "util/retry.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"

namespace labctl::verify {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

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

// A built-in check of a service left to the student (`provision = false`) that fails is
// expected until the student has done the work: reported, never failing verify.
void expect_unless_provisioned(const topo::Service& service, Check& check) {
    if (service.provision || check.ok) return;
    check.required = false;
    check.detail = "not provisioned (provision = false)";
}

// A health probe that fails once on a loaded host is not yet a finding: a TCG guest beside
// other guests missed a 2 s health deadline while answering before and after (seen in a
// CI-like run: `timed out after 2001 ms`, then the same instance passing the spread check).
// So a failed probe is tried again with backoff for this long; what still fails is reported,
// with how often it was tried. (A failed SSH channel open is retried by remote::Session.)
constexpr auto probe_patience = 20s;
const util::BackoffPolicy probe_backoff{500ms, 4000ms};

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
        double seconds = util::seconds_since(start) / probes.size();
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
    services::Health health;
    auto tries = util::retry_until(
        Clock::now() + probe_patience, probe_backoff, [&](int) -> std::optional<std::string> {
            health = services::kind_of(*instance.service).probe_health(state_dir, instance);
            if (health.healthy) return std::nullopt;
            return health.detail;
        });
    if (tries.attempts > 1) health.detail += fmt::format(" ({} tries)", tries.attempts);
    return {health.healthy, health.detail, util::seconds_since(start)};
}

void check_services(VerifyContext& context, Report& report) {
    const auto& lab = context.lab;
    std::vector<topo::Instance> instances;
    for (const auto& service : lab.services)
        for (auto& instance : lab.instances(service)) instances.push_back(std::move(instance));
    std::vector<Check> checks(instances.size());
    // Slots in lab order, so the report does not depend on which probe answered first.
    util::parallel_for(instances.size(), context.width(instances.size()), [&](std::size_t i) {
        const auto& instance = instances[i];
        auto health = probe_instance(context.lab, instance, context.state_dir);
        checks[i] = {services::kind_of(*instance.service).health_label() + " " + instance.name +
                         " " + instance.node->address() + ":" + std::to_string(instance.port),
                     health.healthy, health.seconds, health.detail};
        expect_unless_provisioned(*instance.service, checks[i]);
    });
    for (auto& check : checks) report.checks.push_back(std::move(check));
}

void check_service_types(VerifyContext& context, Report& report) {
    for (const auto& service : context.lab.services)
        for (auto& check : services::kind_of(service).checks(context, service)) {
            expect_unless_provisioned(service, check);
            report.checks.push_back(std::move(check));
        }
}

Report run_checks(VerifyContext& context, ReachabilityMatrix* matrix) {
    Report report;
    check_reachability(context, report, matrix);
    check_services(context, report);
    check_service_types(context, report);
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
