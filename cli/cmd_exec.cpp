#include <algorithm>
#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lifecycle_commands.hpp"
#include "util/error.hpp"

namespace labctl::cli {

void add_exec_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::ExecOptions>();
    auto words = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand(
        "exec", "Run a command on many nodes at once (names, globs such as app*, @SERVICE)");
    cmd->add_option("targets", *words, "Node names, shell globs or @SERVICE")->required();
    // Never filled (the targets' list takes every word), but while it waits for a value
    // CLI11 keeps parsing the words after `--` here instead of handing them to `labctl`.
    auto command = std::make_shared<std::vector<std::string>>();
    cmd->add_option("command", *command, "The command, after --");
    cmd->add_option("-j,--jobs", options->jobs, "Nodes at once (default: all)")
        ->check(CLI::Range(1, 1024));
    cmd->add_flag("--json", options->json,
                  "Print a JSON list of {node, exit_code, stdout, stderr}");
    cmd->footer("Example:\n  labctl exec @chat 'db*' -- systemctl is-active nginx");
    cmd->callback([&context, options, words, command] {
        words->insert(words->end(), command->begin(), command->end());
        context.action = [&context, options, words] {
            // CLI11 hands every positional word to the targets' list; what followed the first
            // `--` after the verb is the command (and always the list's tail).
            auto verb = std::find(context.argv.begin(), context.argv.end(), "exec");
            auto mark = std::find(verb, context.argv.end(), "--");
            if (mark == context.argv.end())
                throw InputError("exec: no command; write labctl exec TARGETS... -- CMD...");
            auto tail = static_cast<std::ptrdiff_t>(context.argv.end() - mark - 1);
            if (tail == 0) throw InputError("exec: nothing after --; give the command to run");
            if (tail >= static_cast<std::ptrdiff_t>(words->size()))
                throw InputError("exec: no target before --");
            options->targets.assign(words->begin(), words->end() - tail);
            options->command.assign(words->end() - tail, words->end());
            return commands::run_exec(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli
