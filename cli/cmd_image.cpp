#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_image_command(CLI::App& app, CommandContext& context) {
    auto* cmd = app.add_subcommand("image", "Base images built from Debian packages");
    cmd->require_subcommand(1);

    auto build = std::make_shared<commands::ImageOptions>();
    build->action = "build";
    auto* build_cmd = cmd->add_subcommand("build", "Build a base image with everything the service types need");
    build_cmd->add_option("name", build->name, "Image name (default debian-12-lab)");
    build_cmd->add_flag("--force", build->force, "Rebuild even when the package list is unchanged");
    build_cmd->footer("Example:\n  labctl image build");
    build_cmd->callback([&context, build] {
        context.action = [&context, build] { return commands::run_image(context.global, *build, std::cout); };
    });

    auto list = std::make_shared<commands::ImageOptions>();
    list->action = "list";
    auto* list_cmd = cmd->add_subcommand("list", "List base images");
    list_cmd->add_flag("--json", list->json, "Machine-readable output");
    list_cmd->callback([&context, list] {
        context.action = [&context, list] { return commands::run_image(context.global, *list, std::cout); };
    });

    auto remove = std::make_shared<commands::ImageOptions>();
    remove->action = "rm";
    auto* rm_cmd = cmd->add_subcommand("rm", "Remove a base image");
    rm_cmd->add_option("name", remove->name, "Image name")->required();
    rm_cmd->callback([&context, remove] {
        context.action = [&context, remove] { return commands::run_image(context.global, *remove, std::cout); };
    });
}

}  // namespace labctl::cli
