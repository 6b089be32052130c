// `labctl check`: only the checks the lab declares ([[checks]]), with the points each earned,
// for a lab's author or a grader; `labctl verify` runs them after the built-in ones.
#include <fmt/format.h>

#include "commands/check_run.hpp"
#include "commands/declared_failover.hpp"
#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/pool.hpp"
#include "store/paths.hpp"
#include "verify/declared_checks.hpp"

namespace labctl::commands {

verify::ScoredReport run_lab_checks(const GlobalOptions& global, const topo::Lab& lab, int jobs) {
    auto state_dir = store::lab_state_dir(lab.lab.name);
    auto lab_ssh = remote::open_lab_ssh(state_dir);
    remote::SessionPool pool(
        [&](const std::string& node) { return remote::connect_options(lab_ssh, *lab.node(node)); });
    verify::VerifyContext context{lab, pool, state_dir};
    context.jobs = jobs;
    return verify::run_declared_checks(context, declared_failover_runner(global));
}

int run_check(const GlobalOptions& global, const CheckOptions& options, std::ostream& out) {
    auto lab = load_lab(global);
    if (lab.checks.empty()) {
        if (options.json)
            out << verify::ScoredReport{}.to_json().dump(2) << "\n";
        else
            out << "no checks declared in " << global.file << "\n";
        return 0;
    }
    auto report = run_lab_checks(global, lab, options.jobs);
    if (options.json)
        out << report.to_json().dump(2) << "\n";
    else
        report.print(out, global.color);
    return report.ok() ? 0 : 1;
}

}  // namespace labctl::commands
