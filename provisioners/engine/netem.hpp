// Link impairment on the host side of a node's NIC, so it works the same for every driver
// (the vnet/veth device libvirt reports as the live domain's <target dev=.../>):
//   to the guest:   netem as the root qdisc of that device (its egress is the guest's ingress);
//   from the guest: the device's ingress redirected (tc mirred) to an ifb device labctl
//                   creates for that NIC, with netem as the ifb's root qdisc.
// Each direction gets the whole impairment, so a delay of D adds 2*D to a round trip through
// the NIC. The ifb's name is derived from lab, node and network (`lcq` + 12 hex digits of a
// hash) and recorded in the lab's state (netem.json), so `--reset`, `start` (which re-applies
// it to the new device) and `down` find it. Only qdiscs of kind netem and ingress filters of
// labctl's handle are ever removed: a qdisc someone else put there is not labctl's.
// tc and ip run where the NIC's host side is: on the node's host (a HostAccess: this
// machine's programs, or the same argv over the checked SSH of a lab's remote host).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/host_access.hpp"
#include "topology/impairment.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

using Argv = std::vector<std::string>;

// The ifb device of one NIC (15 characters at most, as Linux wants).
std::string ifb_name(const std::string& lab, const std::string& node, const std::string& network);

// The tc/ip commands, as argv (pure: unit-tested without a kernel).
std::vector<Argv> netem_apply_commands(const std::string& dev, const std::string& ifb,
                                       const topo::Impairment& impairment);
Argv netem_qdisc_args(const topo::Impairment& impairment);  // "netem delay 100ms ..."

// The host-side device of the running DOMAIN's NIC with MAC; InfraError naming NODE when the
// domain is not running or has no such NIC.
std::string host_device(virDomainPtr domain, const std::string& mac, const std::string& node);

struct NetemLink {
    std::string node;
    std::string network;
    std::string dev;  // host side of the NIC
    std::string ifb;
};

// Applies IMPAIRMENT (replacing labctl's earlier one on that NIC) on HOST. Throws
// InfraError(node, "netem") with tc's own words; when the kernel has no netem qdisc, says so.
void apply_netem(HostAccess& host, const NetemLink& link, const topo::Impairment& impairment);
// Removes labctl's netem, ingress redirect and ifb of LINK on HOST (what exists of them).
void reset_netem(HostAccess& host, const NetemLink& link);
// Removes the ifb device NAME from HOST when it exists (`down`: the NIC's own qdiscs went
// with it); true when it was there.
bool remove_ifb(HostAccess& host, const std::string& ifb);
// What tc on HOST reports now for LINK: "to guest: netem delay 100ms ...; from guest: ..."
// or "none".
std::string show_netem(HostAccess& host, const NetemLink& link);

// netem.json in the lab's state: "NODE:NETWORK" -> the impairment and its ifb.
struct NetemRecord {
    topo::Impairment impairment;
    std::string ifb;
    friend bool operator==(const NetemRecord&, const NetemRecord&) = default;
};
std::map<std::string, NetemRecord> load_netem(const std::filesystem::path& state_dir);
void save_netem(const std::filesystem::path& state_dir,
                const std::map<std::string, NetemRecord>& records);

}  // namespace labctl::engine
