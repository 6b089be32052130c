#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_down_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::DownOptions>();
    auto* cmd = app.add_subcommand(
        "down", "Remove every libvirt object this lab created, and nothing else");
    cmd->add_flag("--keep-disks", options->keep_disks, "Keep the nodes' disks");
    auto lab_name = std::make_shared<std::string>();
    auto* lab = cmd->add_option("--lab", *lab_name, "Lab name, to remove a lab whose file is gone");
    cmd->footer("Example:\n  labctl down --lab mom");
    cmd->callback([&context, options, lab, lab_name] {
        if (lab->count() > 0) options->lab = *lab_name;
        context.action = [&context, options] {
            return commands::run_down(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
