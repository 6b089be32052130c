#include <iostream>

#include "cli/command_context.hpp"
#include "commands/static_commands.hpp"

namespace labctl::cli {

void add_render_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::RenderOptions>();
    auto* cmd = app.add_subcommand(
        "render", "Write the generated files (nginx, brokers, units, node seeds) without libvirt");
    cmd->add_option(
        "service", options->services,
        "Services (by name or type, or seed: each node's identity files) to render; default all");
    cmd->add_option("-o,--output", options->out_dir, "Write DIR/NODE/PATH instead of printing");
    cmd->add_option("--templates", options->templates_dir,
                    "Directory whose templates override the built-in ones");
    cmd->footer(
        "Examples:\n  labctl render nginx\n  labctl render -o out   # "
        "out/server1/etc/nginx/conf.d/balancer.conf ...");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_render(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
