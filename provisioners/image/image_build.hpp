// labctl's base image: Debian 12 built from Debian packages alone (mmdebstrap), with every
// daemon the service kinds need installed but disabled, the seed script baked in, and three
// outputs from the same tree: a qcow2 (qemu/kvm, direct kernel boot with vmlinuz + initrd.img)
// and rootfs/ (libvirt LXC, under a per-node overlay).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace labctl::image {

// Bumped whenever the recipe changes in a way the package list does not show, so cached
// images built by an older recipe are rebuilt.
inline constexpr int recipe_version = 2;

// The packages installed on top of Debian's minbase variant, in install order.
const std::vector<std::string>& base_packages();
// Daemons that are installed but disabled: labctl starts what the topology asks for.
const std::vector<std::string>& disabled_units();

// sha256 of the package list and the recipe version: the image's cache key.
std::string packages_hash();

// The kernel command line for direct kernel boot of disk.qcow2.
inline constexpr const char* kernel_cmdline = "root=/dev/vda rw console=ttyS0";

struct BuildResult {
    std::filesystem::path dir;
    bool built = false;  // false: an up-to-date image was reused
};

// Builds the image NAME under store::image_dir(NAME), or reuses it when its manifest says it
// was built from the same package list and recipe (FORCE rebuilds). Prints one line per
// stage with its time to OUT. Throws InfraError (exit 3) when a tool is missing or a stage
// fails, and InterruptedError (exit 130) on Ctrl-C during a stage's program; either way the
// temporary build directory is removed and the previous image stays intact until the new one
// is complete. A build killed outright leaves its directory to the next build of NAME, which
// removes it.
BuildResult build_image(const std::string& name, bool force, std::ostream& out);

}  // namespace labctl::image
