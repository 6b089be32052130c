// NFS's own keys: one server exporting a directory, clients mounting it (at boot too).
#pragma once

#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::services {

struct NfsSettings : topo::ServiceSettings {
    topo::Located<std::string> server;
    std::vector<topo::Located<std::string>> clients;
    topo::Located<std::string> export_path{"/srv/share", {}};
    topo::Located<std::string> mount_path{"/mnt/share", {}};
};

inline const NfsSettings& nfs_settings(const topo::Service& service) {
    return service.settings_as<NfsSettings>();
}

// The systemd mount unit's name for PATH ("/mnt/share" -> "mnt-share.mount"), as
// `systemd-escape --path --suffix=mount` spells it.
std::string nfs_mount_unit(const std::string& path);

constexpr int kNfsPort = 2049;  // NFSv4 needs this one port only (no rpcbind, no mountd)

}  // namespace labctl::services
