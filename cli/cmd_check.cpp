#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_check_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::CheckOptions>();
    auto* cmd = app.add_subcommand(
        "check", "Run the checks the lab declares ([[checks]]) and count their points");
    cmd->add_flag("--json", options->json, "Print JSON for scripts");
    cmd->add_option("--jobs,-j", options->jobs, "Checks run in parallel (default: 8)")
        ->check(CLI::Range(1, 256));
    cmd->footer("Example:\n  labctl check --json");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_check(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
