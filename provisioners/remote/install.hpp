// Files owned by root (configs under /etc, units, secrets) on a node where labctl logs in as
// an ordinary user with sudo: the content goes by SFTP into a private 0700 temporary
// directory, then, as root, into a temporary name beside the target (created under umask
// 077, so a secret is never readable by others), gets its mode and owner, and is renamed
// over the target. Unchanged files (content, mode, owner) are left alone.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "remote/session.hpp"

namespace labctl::remote {

struct InstallOptions {
    unsigned mode = 0644;
    std::string owner = "root";
    std::string group = "root";
};

// What a root-owned file is on the node: "SHA256 MODE OWNER GROUP" (mode in octal), the
// form wanted_state() gives for content about to be written.
std::string wanted_state(std::string_view content, const InstallOptions& options);
// The state of each of PATHS that exists (read as root, one command for all of them).
std::map<std::string, std::string> root_file_states(Session& session,
                                                    const std::vector<std::string>& paths,
                                                    const std::string& step = "install");

struct RootFile {
    std::string_view content;
    std::string path;  // its parent directory must exist
    InstallOptions options;
};
// Writes every file as root (SFTP into one private temporary directory, then copy + chown +
// chmod + rename beside each path), whether or not it changed.
void write_root_files(Session& session, const std::vector<RootFile>& files,
                      const std::string& step = "install");

// Returns true when it changed anything (Ansible's `changed`).
bool install_file(Session& session, std::string_view content, const std::string& path,
                  const InstallOptions& options = {});

}  // namespace labctl::remote
