#include <iostream>

#include "cli/command_context.hpp"
#include "commands/static_commands.hpp"

namespace labctl::cli {

void add_graph_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::GraphOptions>();
    auto* cmd = app.add_subcommand(
        "graph", "Deployment diagram: nodes, networks, services, ports, balancer targets");
    cmd->add_option("--format", options->format, "dot, mermaid, or svg (needs graphviz)")
        ->check(CLI::IsMember({"dot", "mermaid", "svg"}));
    cmd->add_option("-o,--output", options->out_file, "Write to FILE instead of stdout");
    cmd->footer("Example:\n  labctl graph --format svg -o lab.svg");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_graph(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
