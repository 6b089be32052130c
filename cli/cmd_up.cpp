#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_up_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::UpOptions>();
    auto* cmd = app.add_subcommand(
        "up", "Create what is missing, boot, provision and verify the lab, step by step");
    cmd->add_option("--only", options->only, "Bring up only these nodes");
    cmd->add_option("--jobs,-j", options->jobs, "Nodes worked on in parallel (default: all)")
        ->check(CLI::Range(1, 256));
    cmd->add_flag("--no-verify", options->no_verify, "Skip the verification at the end");
    cmd->add_flag("--dry-run", options->dry_run, "Print the plan and change nothing");
    cmd->footer("Example:\n  labctl up --jobs 4");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_up(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
