// Runs a local program from an argv (never through a shell), feeding stdin and capturing
// stdout and stderr.
//
// Interruption: the program runs in its own process group. While any program runs, labctl
// catches SIGINT, SIGTERM, SIGHUP and SIGQUIT (unless they were ignored when it started)
// instead of dying at once, and forwards the signal to the program's group, as a terminal
// would. Once the program has exited, run_process throws InterruptedError (exit 130), so
// callers unwind and remove their temporary files; outside a run, the signals keep their
// default action.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace labctl::util {

struct ProcessResult {
    int exit_code = -1;  // 128+N when killed by signal N
    std::string out;
    std::string err;
};

// Throws InfraError when the program cannot be started at all, and InterruptedError when
// labctl got one of the signals above while the program ran, or the program died of SIGINT.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {});

// The absolute path of PROGRAM found in $PATH, or nullopt.
std::optional<std::string> find_program(const std::string& program);

}  // namespace labctl::util
