// Shared by every cli/cmd_*.cpp: the global options and the action the chosen command set.
// Commands run after parsing completes, so global options given after the verb still apply.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "commands/options.hpp"

namespace labctl::cli {

struct CommandContext {
    commands::GlobalOptions global;
    std::function<int()> action;
};

// One per verb, each in its own file: binds flags into the verb's options struct.
void add_validate_command(CLI::App& app, CommandContext& context);
void add_render_command(CLI::App& app, CommandContext& context);
void add_graph_command(CLI::App& app, CommandContext& context);
void add_up_command(CLI::App& app, CommandContext& context);
void add_down_command(CLI::App& app, CommandContext& context);
void add_status_command(CLI::App& app, CommandContext& context);
void add_kill_command(CLI::App& app, CommandContext& context);
void add_revive_command(CLI::App& app, CommandContext& context);
void add_verify_command(CLI::App& app, CommandContext& context);
void add_check_command(CLI::App& app, CommandContext& context);
void add_ssh_command(CLI::App& app, CommandContext& context);
void add_image_command(CLI::App& app, CommandContext& context);
void add_export_command(CLI::App& app, CommandContext& context);
void add_completion_command(CLI::App& app, CommandContext& context);
void add_class_command(CLI::App& app, CommandContext& context);

}  // namespace labctl::cli
