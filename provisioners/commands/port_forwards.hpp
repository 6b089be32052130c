// `[lab] forward = { "8443" = "lb:443" }` at `up`: the lab's nftables table (engine/
// port_forward.hpp) rendered from templates/nftables/forward.nft.mustache, checked against the
// host before anything changes, loaded after the networks exist. `down` removes it by name.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "topology/model.hpp"
#include "util/reporter.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

struct ForwardTarget {
    int host_port = 0;
    std::string node;
    int port = 0;
    std::string address;  // the node's first NIC's reserved address
    std::string bridge;   // the host's bridge of that NIC's network
};

// The lab's forwards with their addresses; bridges from libvirt's networks (empty while the
// networks do not exist yet).
std::vector<ForwardTarget> forward_targets(const virt::Connection& connection,
                                           const topo::Lab& lab);

// The whole `nft -f` file: the table replaced in one transaction, its comment the
// fingerprint of everything in it.
struct ForwardRuleset {
    std::string text;
    std::string fingerprint;
};
ForwardRuleset render_forward_ruleset(const std::string& lab,
                                      const std::vector<ForwardTarget>& targets);

// Before anything changes: each host port must be free, neither a listening socket on this
// host nor another lab's forward; throws InputError naming the forward's place in the file.
// Throws InfraError when the lab has forwards and `nft` is not installed.
void check_forward_ports(const topo::Lab& lab);

// Loads the lab's table unless it already is as rendered (re-running `up` changes nothing);
// a lab without forwards has its old table removed. Returns true when something changed.
bool apply_port_forwards(const virt::Connection& connection, const topo::Lab& lab,
                         const std::filesystem::path& state_dir, util::Reporter& report);

}  // namespace labctl::commands
