// Files owned by root (configs under /etc, units, secrets) on a node where labctl logs in as
// an ordinary user with sudo: the content goes by SFTP into a private 0700 temporary
// directory, then, as root, into a temporary name beside the target (created under umask
// 077, so a secret is never readable by others), gets its mode and owner, and is renamed
// over the target. Unchanged files (content, mode, owner) are left alone.
#pragma once

#include <string>
#include <string_view>

#include "remote/session.hpp"

namespace labctl::remote {

struct InstallOptions {
    unsigned mode = 0644;
    std::string owner = "root";
    std::string group = "root";
};

// Returns true when it changed anything (Ansible's `changed`).
bool install_file(Session& session, std::string_view content, const std::string& path,
                  const InstallOptions& options = {});

}  // namespace labctl::remote
