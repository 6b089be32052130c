// util::run_process and interruption: a real child (sh, sleep) is interrupted by a real
// SIGINT, sent to the child or to this process, and the run reports InterruptedError (exit
// 130), not an infrastructure error.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

using namespace labctl;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A child that writes its pid to MARKER, then runs until it is stopped; like mmdebstrap, it
// traps SIGINT and exits 1 rather than dying of the signal.
std::vector<std::string> long_child(const fs::path& marker, bool trap_sigint) {
    std::string script = std::string(trap_sigint ? "trap 'exit 1' INT; " : "") + "echo $$ > " +
                         util::shell_quote(marker.string()) +
                         "; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done";
    return {"sh", "-c", script};
}

// Waits (up to 20 s) until MARKER holds a pid, and returns it (0 if it never came).
pid_t wait_for_pid(const fs::path& marker) {
    for (auto deadline = std::chrono::steady_clock::now() + 20s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
        if (!fs::exists(marker)) continue;
        auto text = util::read_file(marker);  // complete once the newline is there
        if (!text.empty() && text.back() == '\n') return static_cast<pid_t>(std::stoi(text));
    }
    return 0;
}

struct sigaction current_action(int signal) {
    struct sigaction action {};
    ::sigaction(signal, nullptr, &action);
    return action;
}

// Runs ARGV and returns the exit code labctl's main would map the outcome to.
int exit_code_of(const std::vector<std::string>& argv, std::chrono::duration<double>* took) {
    auto start = std::chrono::steady_clock::now();
    int code = 0;
    try {
        util::run_process(argv);
    } catch (const InfraError&) {
        code = static_cast<int>(ExitCode::infrastructure);
    } catch (const LabError& error) {
        code = static_cast<int>(error.code());
        EXPECT_NE(dynamic_cast<const InterruptedError*>(&error), nullptr) << error.what();
        EXPECT_NE(std::string(error.what()).find("interrupted"), std::string::npos) << error.what();
    }
    *took = std::chrono::steady_clock::now() - start;
    return code;
}

}  // namespace

TEST(Process, ChildStoppedBySigintIsInterruptedNotAnInfraError) {
    test::TempDir dir;
    auto marker = dir.path() / "pid";
    std::thread interrupter([&] {
        if (pid_t child = wait_for_pid(marker)) ::kill(child, SIGINT);
    });
    std::chrono::duration<double> took{};
    int code = exit_code_of(long_child(marker, false), &took);
    interrupter.join();
    EXPECT_EQ(code, 130);
    EXPECT_LT(took.count(), 15.0) << "the child ran to its end: the signal did not stop it";
}

TEST(Process, SigintToLabctlIsForwardedToTheChildAndReportedOnceItExits) {
    // What Ctrl-C does: the terminal signals labctl's process group; the child has a group of
    // its own, so only labctl's forwarding reaches it. The child exits 1 (it traps SIGINT), yet
    // the run is interrupted because labctl itself was.
    test::TempDir dir;
    auto marker = dir.path() / "pid";
    std::thread interrupter([&] {
        pid_t child = wait_for_pid(marker);
        if (!child) return;
        EXPECT_EQ(::getpgid(child), child) << "the child leads a process group of its own";
        EXPECT_NE(::getpgid(child), ::getpgid(0));
        ::kill(::getpid(), SIGINT);  // with the default action this would end the test binary
    });
    std::chrono::duration<double> took{};
    int code = exit_code_of(long_child(marker, true), &took);
    interrupter.join();
    EXPECT_EQ(code, 130);
    EXPECT_LT(took.count(), 15.0) << "SIGINT was not forwarded to the child";
    EXPECT_EQ(current_action(SIGINT).sa_handler, SIG_DFL) << "the default action is back";
}

TEST(Process, SigintIgnoredWhenLabctlStartedStaysIgnored) {
    // `nohup labctl ... &` or a background job: an ignored SIGINT neither stops nor interrupts.
    test::TempDir dir;
    auto marker = dir.path() / "pid";
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction saved {};
    ::sigaction(SIGINT, &ignore, &saved);
    std::thread interrupter([&] {
        if (wait_for_pid(marker)) ::kill(::getpid(), SIGINT);
    });
    auto script = "echo $$ > " + util::shell_quote(marker.string()) + "; sleep 1; echo done";
    util::ProcessResult result;
    EXPECT_NO_THROW(result = util::run_process({"sh", "-c", script}));
    interrupter.join();
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "done\n");
    EXPECT_EQ(current_action(SIGINT).sa_handler, SIG_IGN);
    ::sigaction(SIGINT, &saved, nullptr);
}

TEST(Process, OtherSignalsAndExitCodesAreResultsNotErrors) {
    auto killed = util::run_process({"sh", "-c", "kill -TERM $$"});
    EXPECT_EQ(killed.exit_code, 128 + SIGTERM);
    auto failed = util::run_process({"sh", "-c", "echo out; echo err >&2; exit 7"});
    EXPECT_EQ(failed.exit_code, 7);
    EXPECT_EQ(failed.out, "out\n");
    EXPECT_EQ(failed.err, "err\n");
    EXPECT_EQ(util::run_process({"cat"}, "fed\n").out, "fed\n");
    EXPECT_THROW(util::run_process({"/nonexistent/program"}), InfraError);
}
