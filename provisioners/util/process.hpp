// Runs a local program from an argv (never through a shell), feeding stdin and capturing
// stdout and stderr.
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

// Throws InfraError when the program cannot be started at all.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {});

// The absolute path of PROGRAM found in $PATH, or nullopt.
std::optional<std::string> find_program(const std::string& program);

}  // namespace labctl::util
