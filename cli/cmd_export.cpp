#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_export_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::ExportOptions>();
    auto* cmd = app.add_subcommand("export", "Export the lab for another tool");
    auto* vagrant = cmd->add_subcommand(
        "vagrant", "A Vagrantfile with the same machines, networks and provisioning");
    cmd->require_subcommand(1);
    vagrant->add_option("-o,--output", options->out_dir, "Output directory");
    vagrant
        ->add_option("--box", options->box,
                     "The box every machine boots (e.g. one from `labctl image box`)")
        ->capture_default_str();
    vagrant->footer(
        "Example:\n  labctl export vagrant -o vagrant-lab && cd vagrant-lab && vagrant up");
    vagrant->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_export(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
