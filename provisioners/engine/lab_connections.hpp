// Where each node of a lab that is up runs, and how labctl reaches that host: the one place
// every verb that acts on running nodes (stop/start/restart, kill/revive, netem, snapshot,
// the impairments `up` sets again) gets a node's libvirt connection and its HostAccess
// (SPEC.md section 6). A lab on one libvirt has one host: the record's URI (or --connect)
// and this machine's programs. A lab across hosts has the hosts its record names, each opened
// once (all at once), and the record's placement: a node on another host is stopped, started,
// powered off or impaired there, never on the gateway host's libvirt.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/desired.hpp"
#include "engine/host_set.hpp"
#include "engine/lab_state.hpp"
#include "topology/model.hpp"

namespace labctl::engine {

class LabConnections {
  public:
    // RECORD: the lab's (load_record). CONNECT: the --connect override, which a lab across
    // hosts refuses (InputError: each host's `connect` says where). SHELLS: also each host's
    // HostAccess (this machine's programs, or an SSH login to a remote host with its key
    // checked); there is none on test:///.
    LabConnections(const LabRecord& record, const std::string& connect,
                   const std::filesystem::path& state_dir, bool shells);
    // A lab across hosts whose hosts `up` opened already (SESSIONS in [hosts] order).
    LabConnections(std::vector<HostSession> sessions, std::map<std::string, std::string> placement);

    bool spans_hosts() const { return spans_; }
    std::size_t size() const { return sessions_.size(); }
    HostSession& host(std::size_t index) { return sessions_.at(index); }
    // The host that carries the networks' gateway and DHCP server (the only one of a lab on
    // one libvirt).
    virt::Connection& gateway() { return *sessions_[gateway_].connection; }

    // NODE's host: where the placement puts it, else the gateway host (a node the record has
    // not placed: the lab file gained it since `up`).
    std::size_t index_of(const std::string& node) const;
    virt::Connection& connection(const std::string& node);
    // NODE's host's programs; nullptr without SHELLS and on test:///.
    HostAccess* access(const std::string& node);
    // " on host NAME" for messages about NODE in a lab across hosts, else "".
    std::string where(const std::string& node) const;
    // NODES grouped by host index (file order kept within each group).
    std::vector<std::vector<std::string>> group(const std::vector<std::string>& nodes) const;
    // The nodes of NODES placed on a host that is not this machine.
    std::vector<std::string> remote_nodes(const std::vector<std::string>& nodes) const;

    // What `up` makes of NODES on host INDEX (with their seed): for a lab across hosts that
    // host's share (engine::desired_on_host, overlays there), else engine::desired_state.
    // PLACED: the lab as its nodes see it (placed_lab); the result points into it.
    Desired desired(const topo::Lab& placed, virt::DomainKind kind,
                    const std::vector<std::string>& nodes, std::size_t index);

  private:
    std::vector<HostSession> sessions_;
    std::vector<LabHost> hosts_;
    std::map<std::string, std::string> placement_;
    std::size_t gateway_ = 0;
    bool spans_ = false;
};

// The nodes of NODES that RECORD places on a host other than its gateway host (none for a lab
// on one libvirt): known without connecting anywhere.
std::vector<std::string> nodes_off_gateway(const LabRecord& record,
                                           const std::vector<std::string>& nodes);

// The lab as its nodes see it across hosts: each network of SPANNING (the record's, or what
// `up` computed) with the MTU that leaves room for the VXLAN header; LAB itself otherwise.
topo::Lab placed_lab(const topo::Lab& lab, const std::vector<std::string>& spanning);

}  // namespace labctl::engine
