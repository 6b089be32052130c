// `up` as a plan: the actions that turn what exists (the inventory) into what the topology
// wants (Desired). Every action is idempotent on its own, so an `up` interrupted between any
// two actions is finished by the next `up` (which plans again from what then exists) or
// undone by `down`. A lab that is already up plans no mutating action at all.
#pragma once

#include <string>
#include <vector>

#include "engine/desired.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

struct Action {
    enum class Kind {
        define_network,
        start_network,
        define_pool,
        start_pool,
        create_volume,
        mount_overlay,
        write_seed,
        define_domain,
        start_domain,
        wait_ssh,
    };
    Kind kind;
    std::string object;  // libvirt name, or the node for overlay/seed/ssh
    std::string node;    // empty for lab-wide actions
    bool mutates() const { return kind != Kind::wait_ssh; }
    std::string describe() const;  // "network mom-hostonly  define"
};

// WAIT_FOR_SSH: add a wait_ssh action per node (false on the test driver: no real guests).
// WITH_SEED: a SeedWriter is configured.
std::vector<Action> make_plan(const virt::Connection& connection, const Desired& desired,
                              bool wait_for_ssh, bool with_seed);

}  // namespace labctl::engine
