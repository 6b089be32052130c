#include "engine/drift.hpp"

#include "engine/inventory.hpp"
#include "virt/xml_query.hpp"

namespace labctl::engine {

namespace {
std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

void compare(std::vector<std::string>& out, const std::string& what, const std::string& actual,
             const std::string& wanted) {
    if (actual != wanted)
        out.push_back(what + " is " + (actual.empty() ? "(none)" : actual) + " in libvirt, " +
                      wanted + " in the topology");
}
}  // namespace

std::vector<std::string> find_drift(const virt::Connection& connection, const Desired& desired) {
    std::vector<std::string> out;
    Inventory inventory = take_inventory(connection, desired.lab);
    for (const auto& spec : desired.networks) {
        auto it = inventory.networks.find(spec.name);
        if (it == inventory.networks.end()) continue;
        virt::XmlDoc doc(virt::Connection::xml_of(it->second.get()));
        std::string prefix = "network " + spec.name + ": ";
        compare(out, prefix + "MTU", doc.value("/network/mtu/@size"),
                spec.mtu > 0 ? std::to_string(spec.mtu) : "");
        // A spanning network's copy on another host than the gateway's: a bare bridge.
        if (spec.bridge_only) continue;
        compare(out, prefix + "address",
                doc.value("/network/ip/@address") + "/" + doc.value("/network/ip/@netmask"),
                spec.subnet.gateway().str() + "/" + spec.subnet.netmask_str());
        compare(out, prefix + "forward mode", doc.value("/network/forward/@mode"),
                spec.mode == topo::NetworkMode::nat ? "nat" : "");
        std::vector<std::string> wanted;
        for (const auto& host : spec.hosts) wanted.push_back(host.mac + "=" + host.ip);
        std::vector<std::string> actual;
        auto macs = doc.values("/network/ip/dhcp/host/@mac");
        auto ips = doc.values("/network/ip/dhcp/host/@ip");
        for (size_t i = 0; i < macs.size() && i < ips.size(); ++i)
            actual.push_back(macs[i] + "=" + ips[i]);
        compare(out, prefix + "reservations", join(actual), join(wanted));
    }
    for (const auto& n : desired.nodes) {
        auto it = inventory.domains.find(n.node->name);
        if (it == inventory.domains.end()) continue;
        virt::XmlDoc doc(virt::Connection::xml_of(it->second.get()));
        std::string prefix = "domain " + n.domain.name + ": ";
        compare(out, prefix + "type", doc.value("/domain/@type"), virt::to_string(n.domain.kind));
        std::vector<std::string> wanted;
        for (const auto& nic : n.domain.nics) wanted.push_back(nic.mac + "@" + nic.network);
        std::vector<std::string> actual;
        auto macs = doc.values("/domain/devices/interface/mac/@address");
        auto nets = doc.values("/domain/devices/interface/source/@network");
        for (size_t i = 0; i < macs.size() && i < nets.size(); ++i)
            actual.push_back(macs[i] + "@" + nets[i]);
        compare(out, prefix + "NICs", join(actual), join(wanted));
        // libvirt reports memory in KiB whatever unit it was given.
        compare(out, prefix + "memory (KiB)", doc.value("/domain/memory"),
                std::to_string(n.domain.memory_mib * 1024));
        compare(out, prefix + "vcpus", doc.value("/domain/vcpu"), std::to_string(n.domain.vcpus));
    }
    return out;
}

}  // namespace labctl::engine
