// `labctl verify`: every check of a running lab, and optionally a load test through each
// balancer (throughput, latency percentiles, split) in the spirit of `ab -n N -c C`.
#include <fmt/format.h>

#include "commands/declared_failover.hpp"
#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "commands/provision_step.hpp"
#include "probe/load.hpp"
#include "services/registry.hpp"
#include "store/lab_ca.hpp"
#include "store/paths.hpp"
#include "verify/checks.hpp"
#include "verify/target.hpp"

namespace labctl::commands {

int run_verify(const GlobalOptions& global, const VerifyOptions& options, std::ostream& out) {
    auto lab = load_lab(global);
    auto state_dir = store::lab_state_dir(lab.lab.name);
    bool ok = verify_lab(lab, state_dir, out, options.json && options.load == 0, global.color,
                         options.jobs, declared_failover_runner(global));
    if (options.load > 0) {
        for (const auto& service : lab.services) {
            auto balancing = services::balancing_of(lab, service);
            if (!balancing) continue;
            for (const auto& on : service.on) {
                const auto* node = lab.node(on.value);
                probe::LoadOptions load;
                load.host = node->address();
                load.port = balancing->port;
                if (balancing->tls) load.ca_file = store::lab_ca_cert_path(state_dir).string();
                load.protocol = verify::balancer_protocol(lab, service);
                load.requests = options.load;
                load.concurrency = options.concurrency;
                auto result = probe::run_load(load);
                auto summary = probe::summarize(result);
                probe::Split split;
                int failed = 0;
                for (const auto& sample : result.samples) {
                    if (sample.ok)
                        ++split[sample.backend];
                    else
                        ++failed;
                }
                out << fmt::format(
                    "load {} on {}:{}: {} requests, concurrency {}, {} failed, {:.0f} req/s, "
                    "p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms\n  split: {}\n",
                    service.name, node->name, balancing->port, result.samples.size(),
                    options.concurrency, failed, summary.throughput, summary.p50 * 1000,
                    summary.p95 * 1000, summary.p99 * 1000, probe::describe_split(split));
                ok &= failed == 0;
            }
        }
    }
    return ok ? 0 : 1;
}

}  // namespace labctl::commands
