// The one way a role changes a service's files on a node, whatever its type:
//   compare   sha256, mode and owner of each live file against what was rendered; when all
//             match, nothing below runs: the service is only started if it is down, then probed
//   stage     the changed files go by SFTP into a private temporary directory as the login
//             user, then as root into `.labctl-staging/` beside their live file (same
//             filesystem, so the move is a rename), with their owner and mode
//   validate  the type's validators run on the node against the staged copies; a rejection
//             leaves every live file as it was
//   move      each live file is kept in the staging directory (or its absence noted), then
//             its staged copy is renamed over it
//   reload    the type's reload or restart
//   probe     the type's readiness check
// A failed move, reload or probe puts every previous file back (and removes the new ones),
// reloads again and throws an InfraError naming node, service and step. The type supplies only
// its files, validators and ServiceControl: this file names no type.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "remote/session.hpp"
#include "render/generated_file.hpp"
#include "services/role.hpp"

namespace labctl::services {

// A file owned by root, with its mode and group (a secret is 0640 root:<service user>).
struct ConfigFile {
    std::string path;  // absolute, on the node
    std::string content;
    unsigned mode = 0644;
    std::string group = "root";
};

std::vector<ConfigFile> config_files(const std::vector<render::GeneratedFile>& files);

// A changed file and its copy in the staging directory beside it (same base name).
struct StagedFile {
    const ConfigFile* file;
    std::string staged;
};

// A check a type runs on the node against staged files, before any live file changes.
struct Validator {
    std::string name;  // in the validate step's detail and errors: "nginx -t"
    // The files it checks, by live path; empty: every file.
    std::function<bool(const std::string& path)> applies;
    // Checks the staged FILES it applies to (never called with none): "" when they are
    // accepted, else why not (the tool's own message).
    std::function<std::string(remote::Session&, const std::vector<StagedFile>&)> check;
};

// A validator that runs ARGV as root once per file, every "{staged}" word replaced by the
// staged copy's path (an argument, never spliced into a shell line); a non-zero exit
// rejects the file with the command's stderr.
Validator argv_validator(std::string name, std::function<bool(const std::string&)> applies,
                         std::vector<std::string> argv);
std::function<bool(const std::string&)> path_ends_with(std::string suffix);
// systemd's own check of staged .service and .mount units (systemd-analyze verify).
Validator systemd_unit_validator();
std::function<bool(const std::string&)> path_is(std::string path);

// How the type's service takes up its files. Each throws InfraError when it fails.
struct ServiceControl {
    std::function<void()> reload;  // after a change: reload or restart (and enable)
    std::function<bool()> start;   // nothing changed: start it if it is down; true when it did
    std::function<void()> probe;   // wait until it is ready (util::wait_until)
};

struct ConfigChange {
    std::vector<ConfigFile> files;
    std::vector<Validator> validators;  // none: the validate step says so
    ServiceControl control;
    // Something outside FILES changed that the service must take up (an app's uploaded code):
    // reload and probe even when every file is unchanged.
    bool reload_anyway = false;
};

// Takes TARGET's node from its live files to CHANGE's, reporting compare, stage, validate,
// move, reload and probe (or compare, start and probe when nothing changed) into REPORT.
// True when anything changed.
bool apply_config(const RoleTarget& target, const ConfigChange& change, RoleReport& report);

}  // namespace labctl::services
