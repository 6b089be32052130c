// The role that provisions nfs services on a node (its kind hands it to the runner): on the
// server the exports file, the export directory and nfs-server (exportfs -ra on a change); on a
// client the mount unit, enabled (so it mounts at boot) and started, retried until the server
// answers.
#pragma once

#include <memory>

#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_nfs_role();
}  // namespace labctl::services
