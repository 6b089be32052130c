// `labctl check`: only the checks the lab declares ([[checks]]), with the points each earned,
// for a lab's author or a grader; `labctl verify` runs them after the built-in ones.
#include <fmt/format.h>

#include "commands/declared_failover.hpp"
#include "commands/lab_commands.hpp"
#include "labfile/loader.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/pool.hpp"
#include "store/paths.hpp"
#include "verify/declared_checks.hpp"

namespace labctl::commands {

int run_check(const GlobalOptions& global, const CheckOptions& options, std::ostream& out) {
    auto lab = labfile::load_lab_or_throw(global.file);
    if (lab.checks.empty()) {
        if (options.json)
            out << verify::ScoredReport{}.to_json().dump(2) << "\n";
        else
            out << "no checks declared in " << global.file << "\n";
        return 0;
    }
    auto state_dir = store::lab_state_dir(lab.lab.name);
    auto lab_ssh = remote::open_lab_ssh(state_dir);
    remote::SessionPool pool(
        [&](const std::string& node) { return remote::connect_options(lab_ssh, *lab.node(node)); });
    verify::VerifyContext context{lab, pool, state_dir};
    context.jobs = options.jobs;
    auto report = verify::run_declared_checks(context, declared_failover_runner(global.file));
    if (options.json)
        out << report.to_json().dump(2) << "\n";
    else
        report.print(out, global.color);
    return report.ok() ? 0 : 1;
}

}  // namespace labctl::commands
