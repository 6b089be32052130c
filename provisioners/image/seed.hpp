// The node seed: everything a clone of a labctl base image needs to become one node of a
// lab (hostname, its own SSH host key, the lab user with the lab's key and sudo, one
// systemd-networkd file per NIC). labctl renders it as a directory tree; the image's
// labctl-seed.service applies it at boot, before the network and sshd:
//   qemu/kvm: make_seed_disk() turns the tree into a small ext4 disk labelled LABCTL-SEED;
//   lxc:      install_seed_in_root() copies the tree to /var/lib/labctl-seed/ of the node's
//             overlay upper directory.
// The tree holds the host private key: it is written 0600 and never logged.
#pragma once

#include <filesystem>

#include "render/node_files.hpp"
#include "render/node_seed.hpp"
#include "render/template_set.hpp"
#include "topology/model.hpp"

namespace labctl::image {

// The label the image's seed script looks for.
inline constexpr const char* seed_disk_label = "LABCTL-SEED";
// Where the seed lives inside a root filesystem (lxc).
inline constexpr const char* seed_dir_in_root = render::labctl_seed_dir + 1;  // no leading /

// Writes the seed tree of NODE into DIR (created 0700; replaced if it exists):
//   DIR/user, DIR/authorized_keys, DIR/root/etc/{hostname,hosts,resolv.conf,sudoers.d/labctl},
//   DIR/root/etc/ssh/ssh_host_ed25519_key{,.pub},
//   DIR/root/etc/systemd/network/10-labctl-nicN.network
// Throws InputError when the identity lacks a key (a seed without one could not be reached).
void write_seed_tree(const topo::Lab& lab, const topo::Node& node,
                     const render::NodeIdentity& identity, const std::filesystem::path& dir);
void write_seed_tree(const topo::Lab& lab, const topo::Node& node,
                     const render::NodeIdentity& identity, const std::filesystem::path& dir,
                     const render::TemplateSet& templates);

// Builds a raw ext4 image (mkfs.ext4 -L LABCTL-SEED -d TREE) at IMAGE_PATH, 0600, written to a
// temporary file and renamed. Attach it to the domain as a second (read-only) disk.
void make_seed_disk(const std::filesystem::path& tree, const std::filesystem::path& image_path);

// Writes the lxc init wrapper (templates/image/labctl-lxc-init.sh) at ROOT/GUEST_PATH, 0755,
// atomically (ROOT: an lxc node's root as mounted for labctl).
void install_lxc_init(const std::filesystem::path& root, const std::string& guest_path);

// Copies TREE to ROOT/var/lib/labctl-seed (ROOT: an lxc node's overlay upper directory),
// keeping modes; replaces an older seed there.
void install_seed_in_root(const std::filesystem::path& tree, const std::filesystem::path& root);

}  // namespace labctl::image
