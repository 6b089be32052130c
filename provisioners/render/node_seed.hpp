// The labctl seed of a node on a labctl base image, as generated files: what `up` packs into
// the LABCTL-SEED disk (qemu/kvm) or copies into the node's overlay (lxc), and what
// `labctl render seed` shows. The image's labctl-seed.service applies it at boot.
#pragma once

#include <vector>

#include "render/generated_file.hpp"
#include "render/node_files.hpp"
#include "render/template_set.hpp"
#include "topology/model.hpp"

namespace labctl::render {

// Where the seed tree lives on the node (lxc: copied there; qemu/kvm: the same tree on the
// seed disk). Files are generated under it:
//   user, authorized_keys, root/etc/{hostname,hosts,resolv.conf,sudoers.d/labctl},
//   root/etc/ssh/ssh_host_ed25519_key{,.pub},
//   root/etc/systemd/network/10-labctl-nicN.network
inline constexpr const char* labctl_seed_dir = "/var/lib/labctl-seed";

// Key files (authorized_keys, the host key pair) are left out when IDENTITY lacks them, so
// `labctl render` never needs or prints a key.
std::vector<GeneratedFile> render_labctl_seed(const topo::Lab& lab, const topo::Node& node,
                                              const TemplateSet& templates,
                                              const NodeIdentity& identity);

}  // namespace labctl::render
