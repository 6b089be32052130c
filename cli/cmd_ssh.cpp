#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_ssh_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::SshOptions>();
    auto* cmd = app.add_subcommand(
        "ssh", "Shell or command on a node, with the lab's key and pinned host key");
    cmd->add_option("node", options->node, "Node name")->required();
    cmd->add_option("command", options->command, "Command to run (after --)");
    cmd->footer("Example:\n  labctl ssh server1 -- systemctl status nginx");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_ssh(context.global, *options);
        };
    });
}

}  // namespace labctl::cli
