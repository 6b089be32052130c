#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_status_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::StatusOptions>();
    auto* cmd =
        app.add_subcommand("status", "Per node: domain state, addresses, SSH, service health");
    cmd->add_flag("--json", options->json, "Print JSON for scripts");
    cmd->footer("Example:\n  labctl status --json");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_status(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
