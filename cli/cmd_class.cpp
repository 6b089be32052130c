#include <iostream>

#include "cli/command_context.hpp"
#include "commands/class_commands.hpp"

namespace labctl::cli {

void add_class_command(CLI::App& app, CommandContext& context) {
    auto* cmd = app.add_subcommand(
        "class", "Class mode: one copy of the lab per student ([class] in the lab file)");
    cmd->require_subcommand(1);

    auto up = std::make_shared<commands::ClassUpOptions>();
    auto* up_cmd = cmd->add_subcommand("up", "Bring up one isolated copy of the lab per student");
    auto* students = up_cmd->add_option("--students", up->students, "Students s01..sNN")
                         ->check(CLI::Range(1, 999));
    up_cmd->add_option("--roster", up->roster, "CSV file with an `id` column")->excludes(students);
    up_cmd->add_option("--jobs,-j", up->jobs, "Copies built at once (default 4)")
        ->check(CLI::Range(1, 256));
    up_cmd->footer("Example:\n  labctl -f course.toml class up --students 30 --jobs 6");
    up_cmd->callback([&context, up] {
        context.action = [&context, up] {
            return commands::run_class_up(context.global, *up, std::cout);
        };
    });

    auto check = std::make_shared<commands::ClassCheckOptions>();
    auto* check_cmd = cmd->add_subcommand(
        "check", "Run the declared checks in every copy: one gradebook row per student");
    check_cmd->add_flag("--json", check->json, "Print JSON for scripts");
    check_cmd->add_option("-o,--output", check->out_file, "Write the gradebook as CSV");
    check_cmd->add_option("--jobs,-j", check->jobs, "Copies checked at once (default 4)")
        ->check(CLI::Range(1, 256));
    check_cmd->footer("Example:\n  labctl class check -o gradebook.csv");
    check_cmd->callback([&context, check] {
        context.action = [&context, check] {
            return commands::run_class_check(context.global, *check, std::cout);
        };
    });

    auto reset = std::make_shared<commands::ClassResetOptions>();
    auto* reset_cmd =
        cmd->add_subcommand("reset", "Rebuild one student's copy from scratch (down, then up)");
    reset_cmd->add_option("student", reset->student, "The student's id")->required();
    reset_cmd->footer("Example:\n  labctl class reset s07");
    reset_cmd->callback([&context, reset] {
        context.action = [&context, reset] {
            return commands::run_class_reset(context.global, *reset, std::cout);
        };
    });

    auto down = std::make_shared<commands::ClassDownOptions>();
    auto* down_cmd = cmd->add_subcommand("down", "Remove every student's copy (and nothing else)");
    down_cmd->add_option("--jobs,-j", down->jobs, "Copies removed at once (default 4)")
        ->check(CLI::Range(1, 256));
    down_cmd->footer("Example:\n  labctl class down");
    down_cmd->callback([&context, down] {
        context.action = [&context, down] {
            return commands::run_class_down(context.global, *down, std::cout);
        };
    });
}

}  // namespace labctl::cli
