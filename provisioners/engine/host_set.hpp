// A lab across hosts, as the engine handles it: one libvirt connection per host (opened all
// at once), each host's share of the lab as its own Desired, and the VXLAN links of the
// networks that span hosts.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/desired.hpp"
#include "engine/host_access.hpp"
#include "engine/lab_hosts.hpp"
#include "engine/lab_state.hpp"
#include "engine/vxlan.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

struct HostSession {
    LabHost host;
    std::unique_ptr<virt::Connection> connection;
    std::unique_ptr<HostAccess> access;  // with open_hosts(..., true), except on test:///
};

// Opens every host's libvirt in parallel (util::parallel_for); with SHELLS also each host's
// HostAccess (local, or SSH with the key checked for a remote one).
std::vector<HostSession> open_hosts(const std::vector<LabHost>& hosts,
                                    const std::filesystem::path& state_dir, bool shells);

// The hosts of a record, as LabHosts.
std::vector<LabHost> recorded_hosts(const LabRecord& record);

// HOSTS[INDEX]'s share of the lab: the selected nodes placed there, every network it carries
// (a bare bridge unless it is the gateway host; spanning networks with a lowered MTU), and
// for a remote host's LXC nodes their overlays on that host over the sent rootfs; for its
// QEMU/KVM nodes their disks in a pool there, over the base image uploaded into the host's
// image cache (image_cache.hpp). A disk image file (a cloud image) on a remote host is
// refused (InputError): labctl does not send those yet.
Desired desired_on_host(const topo::Lab& lab, virt::DomainKind kind,
                        const std::vector<std::string>& only, bool with_seed,
                        const std::map<std::string, std::string>& placement,
                        const std::vector<LabHost>& hosts, std::size_t index, HostAccess* access);

// `down` on a host that is not this machine: the lab's pool there (its clones and seeds),
// found by name and path; the image cache pool stays. True when it was there.
bool remove_remote_pool(virt::Connection& host, const std::string& lab);

// The networks carried by more than one host, in file order.
std::vector<std::string> spanning_networks(const topo::Lab& lab,
                                           const std::map<std::string, std::string>& placement);

// The VXLAN link of NETWORK on HOSTS[INDEX] (BRIDGE: its libvirt bridge there).
VxlanLink vxlan_link(const std::string& lab, const std::string& network,
                     const std::vector<std::string>& network_hosts,
                     const std::vector<LabHost>& hosts, std::size_t index,
                     const std::string& bridge);

}  // namespace labctl::engine
