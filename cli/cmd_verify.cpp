#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_verify_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::VerifyOptions>();
    auto* cmd = app.add_subcommand(
        "verify", "Reachability matrix, service ports, balancer spread, broker relay, replication");
    cmd->add_flag("--json", options->json, "Print JSON for scripts");
    cmd->add_option("--load", options->load,
                    "Also send N requests through each balancer and report latency")
        ->check(CLI::Range(0, 10000000));
    cmd->add_option("--concurrency", options->concurrency, "Concurrent connections for --load")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--jobs,-j", options->jobs, "Checks run in parallel (default: all of a group)")
        ->check(CLI::Range(1, 256));
    cmd->footer("Example:\n  labctl verify --load 1000 --concurrency 100");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_verify(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
