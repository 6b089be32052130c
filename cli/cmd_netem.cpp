#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lifecycle_commands.hpp"

namespace labctl::cli {

void add_netem_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::NetemOptions>();
    auto* cmd = app.add_subcommand(
        "netem", "Impair a node's link (delay, jitter, loss, rate) on the host side of its NIC");
    cmd->add_option("target", options->target, "NODE or NODE:NETWORK")->required();
    cmd->add_option("--delay", options->delay, "Delay each way, e.g. 100ms");
    cmd->add_option("--jitter", options->jitter, "Delay variation, e.g. 10ms (needs --delay)");
    cmd->add_option("--loss", options->loss, "Packet loss each way, e.g. 2%");
    cmd->add_option("--rate", options->rate, "Bandwidth each way, e.g. 1mbit");
    cmd->add_flag("--reset", options->reset, "Remove the impairment");
    cmd->add_flag("--show", options->show, "Show what is set");
    cmd->footer(
        "Each direction gets the whole impairment: --delay 100ms adds 200ms to a round trip.\n"
        "Example:\n  labctl netem server2:hostonly --delay 100ms --loss 2%");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_netem(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
