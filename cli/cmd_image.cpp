#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lab_commands.hpp"

namespace labctl::cli {

void add_image_command(CLI::App& app, CommandContext& context) {
    auto* cmd = app.add_subcommand("image", "Base images built from Debian packages");
    cmd->require_subcommand(1);

    auto build = std::make_shared<commands::ImageOptions>();
    build->action = "build";
    auto* build_cmd =
        cmd->add_subcommand("build", "Build a base image with everything the service types need");
    build_cmd->add_option("name", build->name, "Image name (default debian-12-lab)");
    build_cmd->add_flag("--force", build->force, "Rebuild even when the package list is unchanged");
    build_cmd->footer("Example:\n  labctl image build");
    build_cmd->callback([&context, build] {
        context.action = [&context, build] {
            return commands::run_image(context.global, *build, std::cout);
        };
    });

    auto list = std::make_shared<commands::ImageOptions>();
    list->action = "list";
    auto* list_cmd = cmd->add_subcommand("list", "List base images");
    list_cmd->add_flag("--json", list->json, "Machine-readable output");
    list_cmd->callback([&context, list] {
        context.action = [&context, list] {
            return commands::run_image(context.global, *list, std::cout);
        };
    });

    auto seed = std::make_shared<commands::ImageOptions>();
    seed->action = "seed";
    auto* seed_cmd = cmd->add_subcommand(
        "seed",
        "Render one node's seed tree (labctl up does this itself; for tests and debugging)");
    seed_cmd->add_option("node", seed->node, "Node of the lab file")->required();
    seed_cmd
        ->add_option("--host-key", seed->host_key,
                     "The node's ed25519 private host key (FILE.pub next to it)")
        ->required();
    seed_cmd->add_option("--authorized-key", seed->authorized_key, "The lab's public key file")
        ->required();
    seed_cmd->add_option("-o,--out", seed->out_dir, "Directory to write the seed tree to")
        ->required();
    seed_cmd->add_option("--disk", seed->disk, "Also make the LABCTL-SEED disk (qemu/kvm) here");
    seed_cmd->add_option("--root", seed->root,
                         "Also install the tree into this root directory (lxc)");
    seed_cmd->add_flag("--json", seed->json,
                       "Print the node's NICs (network, MAC, address) as JSON");
    seed_cmd->footer(
        "Example:\n  labctl image seed server1 --host-key keys/server1 --authorized-key "
        "keys/lab.pub -o seed/server1");
    seed_cmd->callback([&context, seed] {
        context.action = [&context, seed] {
            return commands::run_image(context.global, *seed, std::cout);
        };
    });

    auto box = std::make_shared<commands::ImageOptions>();
    box->action = "box";
    auto* box_cmd = cmd->add_subcommand(
        "box", "Package an image as a vagrant-libvirt box (same disk, kernel and initrd)");
    box_cmd->add_option("name", box->name, "Image name (default debian-12-lab)");
    box_cmd->add_option("-o,--output", box->output, "The .box file (default ./labctl-NAME.box)");
    box_cmd->add_option("--user", box->box_user, "Login user baked in for Vagrant")
        ->capture_default_str();
    box_cmd->add_option("--driver", box->box_driver, "The box's default libvirt driver")
        ->check(CLI::IsMember({"kvm", "qemu"}))
        ->capture_default_str();
    box_cmd->footer(
        "Example:\n  labctl image box -o lab.box --driver qemu\n  vagrant box add --name "
        "labctl/debian-12-lab lab.box");
    box_cmd->callback([&context, box] {
        context.action = [&context, box] {
            return commands::run_image(context.global, *box, std::cout);
        };
    });

    auto remove = std::make_shared<commands::ImageOptions>();
    remove->action = "rm";
    auto* rm_cmd = cmd->add_subcommand("rm", "Remove a base image");
    rm_cmd->add_option("name", remove->name, "Image name")->required();
    rm_cmd->callback([&context, remove] {
        context.action = [&context, remove] {
            return commands::run_image(context.global, *remove, std::cout);
        };
    });
}

}  // namespace labctl::cli
