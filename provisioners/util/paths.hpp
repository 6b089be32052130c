// Where labctl keeps its own files. LABCTL_HOME overrides everything; otherwise
// /var/lib/labctl for root and $XDG_DATA_HOME/labctl (~/.local/share/labctl) for others.
//   LABCTL_HOME/images/NAME/   base images (disk.qcow2, vmlinuz, initrd.img, rootfs/, manifest.json)
//   LABCTL_HOME/labs/LAB/      one lab's state, 0700: keys, known_hosts, disks, overlays, lock
#pragma once

#include <filesystem>
#include <string>

namespace labctl::util {

std::filesystem::path labctl_home();
std::filesystem::path images_dir();
std::filesystem::path image_dir(const std::string& image_name);
std::filesystem::path lab_state_dir(const std::string& lab_name);

}  // namespace labctl::util
