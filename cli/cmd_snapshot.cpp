#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lifecycle_commands.hpp"

namespace labctl::cli {

void add_snapshot_command(CLI::App& app, CommandContext& context) {
    auto* snapshot = app.add_subcommand(
        "snapshot", "Save, restore, list or remove snapshots of the whole lab at one moment");
    snapshot->require_subcommand(1);
    struct Verb {
        const char* name;
        const char* description;
    };
    for (const Verb& verb : {
             Verb{"save", "Pause every node, save its disk and labctl's state, resume them all"},
             Verb{"restore", "Bring every node back to a snapshot and wait until it is ready"},
             Verb{"list", "The lab's snapshots: name, when, size, nodes"},
             Verb{"rm", "Remove a snapshot"},
         }) {
        auto options = std::make_shared<commands::SnapshotOptions>();
        options->action = verb.name;
        auto* cmd = snapshot->add_subcommand(verb.name, verb.description);
        if (options->action == "list") {
            cmd->add_flag("--json", options->json, "JSON output");
        } else {
            cmd->add_option("name", options->name, "Snapshot name (^[a-z][a-z0-9-]{0,30}$)")
                ->required();
        }
        if (options->action == "save" || options->action == "restore")
            cmd->add_option("-j,--jobs", options->jobs, "Nodes at once (default: all)")
                ->check(CLI::Range(1, 1024));
        cmd->callback([&context, options] {
            context.action = [&context, options] {
                return commands::run_snapshot(context.global, *options, std::cout);
            };
        });
    }
    snapshot->footer(
        "Examples:\n  labctl snapshot save before-lab3\n  labctl snapshot restore before-lab3\n"
        "  labctl snapshot list --json");
}

}  // namespace labctl::cli
