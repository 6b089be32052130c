#include "labfile/class_copy.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>

#include "topology/address_plan.hpp"
#include "topology/diagnostics.hpp"
#include "topology/toml_reader.hpp"
#include "util/error.hpp"

namespace labctl::labfile {

namespace {

std::uint64_t size_of(int prefix) {
    return std::uint64_t{1} << (32 - prefix);
}

const topo::ClassInfo& class_of(const topo::Lab& base) {
    if (!base.class_info)
        throw InputError(base.file + ": lab " + base.lab.name +
                         " has no [class] section (pool = \"10.200.0.0/16\"): it has no "
                         "students' copies");
    return *base.class_info;
}

// Each network's offset inside a student's block, largest networks first: sizes are powers of
// two, so packing them in decreasing order keeps every subnet aligned on its own size.
std::map<std::string, std::uint64_t> network_offsets(const topo::Lab& base) {
    std::vector<const topo::Network*> order;
    for (const auto& network : base.networks) order.push_back(&network);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        return a->subnet.prefix < b->subnet.prefix;
    });
    std::map<std::string, std::uint64_t> offsets;
    std::uint64_t next = 0;
    for (const auto* network : order) {
        offsets[network->name] = next;
        next += size_of(network->subnet.prefix);
    }
    return offsets;
}

}  // namespace

bool is_student_id(std::string_view id) {
    if (id.empty() || id.size() > 30) return false;
    auto allowed = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!allowed(id.front()) || id.back() == '-') return false;
    return std::all_of(id.begin(), id.end(), [&](char c) { return allowed(c) || c == '-'; });
}

std::string student_lab_name(const topo::Lab& base, const std::string& id) {
    if (!is_student_id(id))
        throw InputError("student id `" + id +
                         "`: an id is lower-case letters, digits and `-` (e.g. s01), starting "
                         "with a letter or a digit");
    std::string name = base.lab.name + "-" + id;
    if (!topo::is_valid_name(name))
        throw InputError("student id `" + id + "`: the copy's lab name `" + name +
                         "` breaks the lab-name rule " + topo::name_rule + " (" +
                         std::to_string(name.size()) + " characters; shorten the id or the lab)");
    return name;
}

int student_block_prefix(const topo::Lab& base) {
    std::uint64_t total = 0;
    for (const auto& network : base.networks) total += size_of(network.subnet.prefix);
    int prefix = 32;
    while (prefix > 0 && size_of(prefix) < total) --prefix;
    return prefix;
}

std::size_t class_capacity(const topo::Lab& base) {
    const auto& info = class_of(base);
    int block = student_block_prefix(base);
    if (block < info.pool.prefix)
        throw InputError(base.file + ":" + std::to_string(info.pool_pos.line) + ":" +
                         std::to_string(info.pool_pos.col) + ": error: pool " + info.pool.str() +
                         " cannot hold one copy of the lab's networks (a /" +
                         std::to_string(block) + " each)");
    return static_cast<std::size_t>(size_of(info.pool.prefix) / size_of(block));
}

topo::Lab student_copy(const topo::Lab& base, const std::string& id, std::size_t index) {
    const auto& info = class_of(base);
    std::string name = student_lab_name(base, id);
    std::size_t capacity = class_capacity(base);
    if (index >= capacity)
        throw InputError("student " + id + ": pool " + info.pool.str() + " holds " +
                         std::to_string(capacity) + " copies of lab " + base.lab.name + " (a /" +
                         std::to_string(student_block_prefix(base)) +
                         " each); this would be copy " + std::to_string(index + 1) +
                         ": give [class] a larger pool");

    topo::Lab copy = base;
    copy.lab.name = name;
    copy.student = id;
    std::uint64_t block_start =
        info.pool.network.value + index * size_of(student_block_prefix(base));
    auto offsets = network_offsets(base);
    std::map<std::string, std::pair<util::Subnet, util::Subnet>> moved;  // name -> old, new
    for (auto& network : copy.networks) {
        util::Subnet carved{
            util::Ipv4{static_cast<std::uint32_t>(block_start + offsets.at(network.name))},
            network.subnet.prefix};
        moved[network.name] = {network.subnet, carved};
        network.subnet = carved;
    }
    for (auto& node : copy.nodes)
        for (auto& nic : node.nics)
            if (nic.address) {
                const auto& [from, to] = moved.at(nic.network);
                nic.address =
                    util::Ipv4{to.network.value + (nic.address->value - from.network.value)};
            }
    // Reserved addresses and MACs again: DHCP reservations in the new subnets, MACs of the new
    // name. Offsets are kept, so what was valid in the file is valid here.
    topo::Diagnostics diagnostics(base.file);
    topo::plan_addresses(copy, diagnostics);
    diagnostics.throw_if_any();
    return copy;
}

}  // namespace labctl::labfile
