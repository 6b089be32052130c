// Connects the engine's seed step to the image's seed: the node's identity (the lab key, the
// node's own pinned host key) rendered as a seed tree in the lab's state, then packed into
// a seed disk (qemu/kvm) or copied into the node's overlay (lxc); for a node on a user's
// cloud image, the node's cloud-init NoCloud files packed into a `cidata` disk.
#pragma once

#include "engine/seed_writer.hpp"

namespace labctl::commands {

class ImageSeedWriter final : public engine::SeedWriter {
  public:
    void write(const topo::Lab& lab, const topo::Node& node, const engine::NodeIdentity& identity,
               const engine::SeedTarget& target) override;
};

}  // namespace labctl::commands
