// The cgroups an LXC node leaves on a cgroup v1 host without systemd. libvirt removes the
// container's cgroup in the controllers it manages when the domain stops, but not in the
// name=systemd and cgroup2 hierarchies, where the node's systemd made its own tree (under
// machine/lxc-PID-DOMAIN.libvirt-lxc, the path labctl's lxc init wrapper moved it to; see
// templates/image/labctl-lxc-init.sh). `down` removes those trees so no empty cgroup of the
// lab outlives it. On a systemd host (machine.slice) nothing matches and nothing is done.
#pragma once

#include <filesystem>
#include <string>

namespace labctl::engine {

// Removes, in every hierarchy under CGROUP_ROOT, the trees ROOT/HIERARCHY/machine/
// lxc-<digits>-DOMAIN.libvirt-lxc, deepest first, with rmdir only: a cgroup that still has
// processes (a container of that name another libvirtd runs) cannot be removed and is left
// alone. Returns how many trees went away completely.
int remove_container_cgroups(const std::filesystem::path& cgroup_root, const std::string& domain);

inline const std::filesystem::path host_cgroup_root = "/sys/fs/cgroup";

}  // namespace labctl::engine
