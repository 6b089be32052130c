// Options of the lifecycle verbs (issue 13): exec, ls, stop/start/restart, netem, snapshot.
// Kept apart from options.hpp so each verb family owns its own header.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace labctl::commands {

struct ExecOptions {
    std::vector<std::string> targets;  // node names, globs (`app*`), `@SERVICE`
    std::vector<std::string> command;  // after `--`, joined with spaces like ssh(1)
    int jobs = 0;                      // nodes at once; 0: all
    bool json = false;
};

struct LsOptions {
    bool json = false;
};

struct PowerOptions {
    std::string action;  // stop | start | restart
    std::vector<std::string> nodes;
    int jobs = 0;
};

struct NetemOptions {
    std::string target;  // NODE or NODE:NETWORK
    std::optional<std::string> delay, jitter, loss, rate;
    bool reset = false;
    bool show = false;
};

struct SnapshotOptions {
    std::string action;  // save | restore | list | rm
    std::string name;    // empty for list
    bool json = false;   // list
    int jobs = 0;        // nodes at once; 0: all
};

}  // namespace labctl::commands
