#include "engine/lab_census.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "virt/tag.hpp"
#include "virt/xml_query.hpp"

namespace labctl::engine {

namespace {

std::optional<util::Subnet> subnet_of(const virt::XmlDoc& doc) {
    auto address = util::Ipv4::parse(doc.value("/network/ip/@address"));
    auto mask = util::Ipv4::parse(doc.value("/network/ip/@netmask"));
    if (!address || !mask) return std::nullopt;
    int prefix = 0;
    for (auto bits = mask->value; bits & 0x80000000u; bits <<= 1) ++prefix;
    return util::Subnet{util::Ipv4{address->value & mask->value}, prefix};
}

}  // namespace

std::map<std::string, CensusLab> take_census(const virt::Connection& connection) {
    std::map<std::string, CensusLab> labs;
    auto lab_named = [&](const std::string& name) -> CensusLab& {
        auto& lab = labs[name];
        lab.name = name;
        return lab;
    };
    for (const auto& domain : connection.domains()) {
        std::string xml = virt::Connection::xml_of(domain.get());
        auto tag = virt::read_tag(xml);
        if (!tag || tag->node.empty()) continue;
        auto& lab = lab_named(tag->lab);
        lab.domains.push_back(virt::Connection::name_of(domain.get()));
        ++lab.total;
        if (virt::Connection::state_of(domain.get()) == virt::DomainState::running) ++lab.running;
        if (lab.driver.empty()) lab.driver = virt::XmlDoc(xml).value("/domain/@type");
        if (lab.file.empty()) lab.file = tag->file;
    }
    for (const auto& network : connection.networks()) {
        std::string xml = virt::Connection::xml_of(network.get());
        auto tag = virt::read_tag(xml);
        if (!tag) continue;
        auto& lab = lab_named(tag->lab);
        virt::XmlDoc doc(xml);
        lab.networks.push_back({virt::Connection::name_of(network.get()), subnet_of(doc),
                                doc.value("/network/bridge/@name"), ""});
        if (lab.file.empty()) lab.file = tag->file;
    }
    return labs;
}

std::map<std::string, CensusLab> merge_census(
    const std::vector<std::pair<std::string, std::map<std::string, CensusLab>>>& hosts) {
    std::map<std::string, CensusLab> merged;
    for (const auto& [host, census] : hosts)
        for (const auto& [name, lab] : census) {
            auto& into = merged[name];
            into.name = name;
            if (into.driver.empty()) into.driver = lab.driver;
            if (into.file.empty()) into.file = lab.file;
            into.running += lab.running;
            into.total += lab.total;
            into.domains.insert(into.domains.end(), lab.domains.begin(), lab.domains.end());
            for (auto network : lab.networks) {
                network.host = host;
                into.networks.push_back(std::move(network));
            }
            into.hosts.push_back(host);
        }
    return merged;
}

void check_no_collision(const std::map<std::string, CensusLab>& census, const Desired& desired) {
    for (const auto& [name, other] : census) {
        if (name == desired.lab) continue;
        for (const auto& network : desired.networks)
            for (const auto& theirs : other.networks) {
                if (theirs.name == network.name)
                    throw InputError("network " + network.name + " is lab " + name +
                                     "'s (libvirt names collide); rename lab " + desired.lab +
                                     " or its network");
                if (theirs.subnet && theirs.subnet->overlaps(network.subnet))
                    throw InputError("network " + network.name + " (" + network.subnet.str() +
                                     ") collides with lab " + name + "'s network " + theirs.name +
                                     " (" + theirs.subnet->str() +
                                     "); give one of them another subnet");
            }
        for (const auto& node : desired.nodes)
            if (std::find(other.domains.begin(), other.domains.end(), node.domain.name) !=
                other.domains.end())
                throw InputError("domain " + node.domain.name + " is lab " + name +
                                 "'s (libvirt names collide); rename lab " + desired.lab +
                                 " or node " + node.node->name);
    }
}

}  // namespace labctl::engine
