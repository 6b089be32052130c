#include "image/seed.hpp"

#include "image/build_steps.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace labctl::image {

namespace fs = std::filesystem;

namespace {

void put(const fs::path& dir, const std::string& relative, const std::string& content,
         unsigned mode) {
    auto path = dir / relative;
    util::make_dirs(path.parent_path(), 0755);
    util::write_file_atomic(path, content, mode);
}

void check_identity(const topo::Node& node, const render::NodeIdentity& identity) {
    if (identity.authorized_key.empty() || identity.host_key_private.empty() ||
        identity.host_key_public.empty())
        throw InfraError("the seed needs the lab's public key and the node's host key pair",
                         node.name, "seed");
}

}  // namespace

void write_seed_tree(const topo::Lab& lab, const topo::Node& node,
                     const render::NodeIdentity& identity, const fs::path& dir) {
    write_seed_tree(lab, node, identity, dir, render::TemplateSet{});
}

void write_seed_tree(const topo::Lab& lab, const topo::Node& node,
                     const render::NodeIdentity& identity, const fs::path& dir,
                     const render::TemplateSet& templates) {
    check_identity(node, identity);
    replace_private_tree(dir, [&](const fs::path& tmp) {
        // Exactly the files `labctl render seed` shows, at their place in the tree.
        const std::string prefix = std::string(render::labctl_seed_dir) + "/";
        for (const auto& file : render::render_labctl_seed(lab, node, templates, identity))
            put(tmp, file.path.substr(prefix.size()), file.content, file.mode);
    });
}

void make_seed_disk(const fs::path& tree, const fs::path& image_path) {
    if (!util::find_program("mkfs.ext4"))
        throw InfraError("mkfs.ext4 not found: install e2fsprogs (scripts/setup.sh)", "",
                         "seed disk");
    // 8 MiB without a journal: plenty for the tree, and sparse on the host. Private: the disk
    // carries the node's host private key.
    make_private_disk(image_path, 8 << 20, "seed disk", [&](const fs::path& tmp) {
        run_checked({"mkfs.ext4", "-q", "-F", "-O", "^has_journal", "-L", seed_disk_label, "-d",
                     tree.string(), tmp.string()},
                    "seed disk");
    });
}

void install_lxc_init(const fs::path& root, const std::string& guest_path) {
    put(root, fs::path(guest_path).relative_path(),
        render::TemplateSet{}.source("image/labctl-lxc-init.sh"), 0755);
}

void install_seed_in_root(const fs::path& tree, const fs::path& root) {
    auto dest = root / seed_dir_in_root;
    util::make_dirs(dest.parent_path(), 0755);
    fs::path tmp = dest;
    tmp += ".tmp";
    fs::remove_all(tmp);
    // cp -a keeps the modes (0600 host key, 0700 tree) that labctl wrote.
    run_checked({"cp", "-a", "--", tree.string(), tmp.string()}, "seed");
    fs::remove_all(dest);
    fs::rename(tmp, dest);
}

}  // namespace labctl::image
