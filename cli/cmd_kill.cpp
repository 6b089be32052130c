#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

namespace {
void bind_fault_options(CLI::App* cmd, commands::KillOptions& options) {
    cmd->add_option("target", options.target, "NODE or NODE/SERVICE")->required();
    cmd->add_option("--requests", options.requests, "Requests driven through the load balancer")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--rate", options.rate, "Requests per second")
        ->check(CLI::Range(0.1, 100000.0));
    cmd->add_flag("--json", options.json, "Print JSON for scripts");
}
}  // namespace

void add_kill_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::KillOptions>();
    auto* cmd = app.add_subcommand(
        "kill", "Break a node or instance and measure the load balancer's failover");
    bind_fault_options(cmd, *options);
    cmd->add_option("--mode", options->mode, "process, poweroff or link-down")
        ->check(CLI::IsMember({"process", "poweroff", "link-down"}));
    cmd->footer("Example:\n  labctl kill server2/chat --mode process");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_kill(context.global, *options, std::cout);
        };
    });
}

void add_revive_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::KillOptions>();
    auto* cmd = app.add_subcommand("revive", "Undo a kill and verify the target rejoins the pool");
    bind_fault_options(cmd, *options);
    cmd->footer("Example:\n  labctl revive server2/chat");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_revive(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
