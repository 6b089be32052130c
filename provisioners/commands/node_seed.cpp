#include "commands/node_seed.hpp"

#include "image/cloud_image.hpp"
#include "image/seed.hpp"
#include "labfile/render_lab.hpp"
#include "remote/keys.hpp"

namespace labctl::commands {

void ImageSeedWriter::write(const topo::Lab& lab, const topo::Node& node,
                            const engine::NodeIdentity& identity,
                            const engine::SeedTarget& target) {
    auto lab_key = remote::ensure_lab_key(identity.state_dir);
    auto host_key = remote::ensure_node_host_key(identity.state_dir, node.name);
    render::NodeIdentity seed_identity{lab_key.public_line, host_key.private_openssh,
                                       host_key.public_line};
    auto tree = identity.state_dir / "seeds" / node.name;
    if (target.kind == engine::SeedTarget::Kind::cloud_init_disk) {
        // Exactly the files `labctl render cloud-init` shows for this node, with the keys in.
        auto files = render::render_cloud_init(lab, node, render::TemplateSet{}, seed_identity);
        image::make_cidata_disk(files, tree, target.path);
        return;
    }
    image::write_seed_tree(lab, node, seed_identity, tree);
    if (target.kind == engine::SeedTarget::Kind::disk_image)
        image::make_seed_disk(tree, target.path);
    else {
        image::install_seed_in_root(tree, target.path);
        image::install_lxc_init(target.path, engine::lxc_init_path);
    }
}

}  // namespace labctl::commands
