// Shared by every cli/cmd_*.cpp: the global options and the action the chosen command set.
// Commands run after parsing completes, so global options given after the verb still apply.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "commands/options.hpp"

namespace labctl::cli {

struct CommandContext {
    commands::GlobalOptions global;
    std::function<int()> action;
    // The command line as typed: where `--` fell, which CLI11 does not say (exec splits its
    // targets from its command there).
    std::vector<std::string> argv;
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
void add_exec_command(CLI::App& app, CommandContext& context);
void add_ls_command(CLI::App& app, CommandContext& context);
void add_power_commands(CLI::App& app, CommandContext& context);  // stop, start, restart
void add_netem_command(CLI::App& app, CommandContext& context);
void add_snapshot_command(CLI::App& app, CommandContext& context);
void add_ca_command(CLI::App& app, CommandContext& context);
void add_class_command(CLI::App& app, CommandContext& context);

}  // namespace labctl::cli
