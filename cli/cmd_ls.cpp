#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lifecycle_commands.hpp"

namespace labctl::cli {

void add_ls_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::LsOptions>();
    auto* cmd = app.add_subcommand(
        "ls", "Every lab on this libvirt connection (by labctl's tags): driver, nodes, lab file");
    cmd->add_flag("--json", options->json, "Print JSON for scripts");
    cmd->footer("Example:\n  labctl --driver lxc ls --json");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_ls(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
