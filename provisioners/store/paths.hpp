// Where labctl keeps its own files (its store: images and labs). LABCTL_HOME overrides everything;
// otherwise /var/lib/labctl for root and $XDG_DATA_HOME/labctl (~/.local/share/labctl) for others.
//   LABCTL_HOME/images/NAME/   base images (disk.qcow2, vmlinuz, initrd.img, rootfs/,
//   manifest.json) LABCTL_HOME/labs/LAB/      one lab's state, 0700: keys, known_hosts, disks,
//   overlays, lock
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace labctl::store {

// The name rule of SPEC.md (^[a-z][a-z0-9-]{0,30}$). A name that obeys it is one path
// component that cannot climb out of its parent (no `/`, no `..`, not empty).
bool is_lab_name(std::string_view name);

std::filesystem::path labctl_home();
std::filesystem::path images_dir();
std::filesystem::path image_dir(const std::string& image_name);
// Throws InputError (exit 2) for a name that breaks the rule above: the topology and the
// CLI check names first, this is the last line before a name becomes a directory.
std::filesystem::path lab_state_dir(const std::string& lab_name);

}  // namespace labctl::store
