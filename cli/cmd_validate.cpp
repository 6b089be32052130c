#include <iostream>

#include "cli/command_context.hpp"
#include "commands/static_commands.hpp"

namespace labctl::cli {

void add_validate_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::ValidateOptions>();
    auto* cmd = app.add_subcommand(
        "validate", "Check the topology file alone (no libvirt, image or network needed)");
    cmd->add_flag("--json", options->json, "Print the result as JSON");
    cmd->footer(
        "Example:\n  labctl validate -f examples/activemq-failover/lab.toml\n"
        "Exit 0 when valid; 2 with one `FILE:LINE:COL: error: ...` line per error.");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_validate(context.global, *options, std::cout, std::cerr);
        };
    });
}

}  // namespace labctl::cli
