// labctl's entry point: parse the command line into a command, run it, map errors to the
// exit codes of SPEC.md (0 ok, 1 verify failed, 2 bad input, 3 infrastructure, 4 locked,
// 130 interrupted).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "cli/command_context.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

namespace {

void setup_logging(const labctl::commands::GlobalOptions& global) {
    // Logs go to stderr so stdout stays clean for output and --json.
    bool color = global.color && !std::getenv("NO_COLOR") && ::isatty(2);
    std::shared_ptr<spdlog::logger> logger =
        color ? spdlog::stderr_color_mt("labctl") : spdlog::stderr_logger_mt("labctl");
    logger->set_pattern("%^%l%$: %v");
    logger->set_level(global.verbosity >= 2   ? spdlog::level::trace
                      : global.verbosity == 1 ? spdlog::level::debug
                      : global.verbosity < 0  ? spdlog::level::err
                                              : spdlog::level::info);
    spdlog::set_default_logger(logger);
}

// The command as typed, verbs only ("up", "image build"): for the interrupt line.
std::string command_name(const CLI::App& app) {
    std::string name;
    for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
        sub = sub->get_subcommands().front();
        name += (name.empty() ? "" : " ") + sub->get_name();
    }
    return name;
}

// How long a step may take to unwind after a signal before labctl stops at once:
// LABCTL_INTERRUPT_GRACE=SECONDS (tests), else 20 s (mmdebstrap cleans up its chroot).
std::chrono::milliseconds interrupt_grace() {
    if (const char* text = std::getenv("LABCTL_INTERRUPT_GRACE"); text && *text)
        return std::chrono::seconds(std::max(1, std::atoi(text)));
    return std::chrono::seconds(20);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace labctl;
    CLI::App app{
        "labctl: build a distributed-systems lab on real VMs from one TOML file, and prove it "
        "works",
        "labctl"};
    app.require_subcommand(1);
    app.fallthrough();  // global options are accepted after the verb too
    app.set_version_flag("--version", "labctl 0.1.0");
    app.footer(
        "Exit codes: 0 ok, 1 verification failed, 2 invalid input, 3 infrastructure error, 4 lab "
        "locked, 130 interrupted.\n"
        "Run `labctl COMMAND --help` for a command's options and an example.");

    cli::CommandContext context;
    context.argv.assign(argv, argv + argc);
    auto& global = context.global;
    app.add_option("-f,--file", global.file, "Topology file (default ./lab.toml)");
    app.add_option("--connect", global.connect,
                   "libvirt URI (default $LIBVIRT_DEFAULT_URI, then qemu:///system)");
    app.add_option("--driver", global.driver, "auto, kvm, qemu or lxc")
        ->check(CLI::IsMember({"auto", "kvm", "qemu", "lxc"}));
    app.add_option("--student", global.student,
                   "Class mode: act on this student's copy of the lab ([class] in the lab file)");
    int verbose = 0, quiet = 0;
    app.add_flag("-v,--verbose", verbose,
                 "Progress in detail (every provisioning step) and debug logs (repeat for trace)");
    app.add_flag("-q,--quiet", quiet, "No progress lines: only results, warnings and errors");
    bool no_color = false;
    app.add_flag("--no-color", no_color, "No colors in output");

    cli::add_up_command(app, context);
    cli::add_down_command(app, context);
    cli::add_status_command(app, context);
    cli::add_kill_command(app, context);
    cli::add_revive_command(app, context);
    cli::add_verify_command(app, context);
    cli::add_check_command(app, context);
    cli::add_render_command(app, context);
    cli::add_validate_command(app, context);
    cli::add_ssh_command(app, context);
    cli::add_graph_command(app, context);
    cli::add_image_command(app, context);
    cli::add_export_command(app, context);
    cli::add_exec_command(app, context);
    cli::add_ls_command(app, context);
    cli::add_power_commands(app, context);
    cli::add_netem_command(app, context);
    cli::add_snapshot_command(app, context);
    cli::add_completion_command(app, context);
    cli::add_ca_command(app, context);
    cli::add_class_command(app, context);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        int code = app.exit(error);
        return code == 0 ? 0 : static_cast<int>(ExitCode::invalid_input);
    }
    global.verbosity = verbose - quiet;
    global.color = !no_color;
    setup_logging(global);
    // From here a signal stops labctl at its next step boundary instead of killing it mid-step.
    util::install_interrupt_handlers(command_name(app), interrupt_grace());

    try {
        int code = context.action ? context.action() : 0;
        // A signal that came after the last step boundary: the command finished, but the
        // user asked it to stop, and a script must see that.
        if (util::interrupt_count() > 0)
            throw InterruptedError(std::string("interrupted by ") +
                                   util::signal_name(util::last_interrupt_signal()));
        return code;
    } catch (const DiagnosticsError& error) {
        std::cerr << error.what() << "\n";
        return static_cast<int>(error.code());
    } catch (const InterruptedError& error) {
        // Ctrl-C is the user's choice, not a failure: one short line, exit 130.
        std::cerr << util::interrupted_line(error.what()) << "\n";
        return static_cast<int>(error.code());
    } catch (const LabError& error) {
        // A call the signal cut short (EINTR inside libvirt or libssh) fails as an error: the
        // user's interruption is the real cause.
        if (util::interrupt_count() > 0) {
            std::cerr << util::interrupted_line(std::string("interrupted by ") +
                                                util::signal_name(util::last_interrupt_signal()))
                      << "\n";
            return static_cast<int>(ExitCode::interrupted);
        }
        std::string where;
        if (!error.node().empty()) where += "node " + error.node();
        if (!error.step().empty())
            where += (where.empty() ? "" : ", ") + std::string("step ") + error.step();
        std::cerr << "labctl: error: " << (where.empty() ? "" : where + ": ") << error.what()
                  << "\n";
        return static_cast<int>(error.code());
    } catch (const std::exception& error) {
        std::cerr << "labctl: internal error: " << error.what() << "\n";
        return static_cast<int>(ExitCode::infrastructure);
    }
}
