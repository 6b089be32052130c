#include "engine/inventory.hpp"

#include <filesystem>

#include "util/error.hpp"
#include "virt/tag.hpp"
#include "virt/xml_query.hpp"

namespace labctl::engine {

Inventory take_inventory(const virt::Connection& connection, const std::string& lab) {
    Inventory inventory;
    for (auto& domain : connection.domains()) {
        auto xml = virt::Connection::xml_if_exists(domain.get());
        if (!xml) continue;  // removed since the listing, by whoever owned it
        auto tag = virt::read_tag(*xml);
        if (tag && tag->lab == lab && !tag->node.empty())
            inventory.domains[tag->node] = std::move(domain);
    }
    for (auto& network : connection.networks()) {
        auto xml = virt::Connection::xml_if_exists(network.get());
        if (!xml) continue;
        auto tag = virt::read_tag(*xml);
        if (tag && tag->lab == lab)
            inventory.networks[virt::Connection::name_of(network.get())] = std::move(network);
    }
    return inventory;
}

virt::PoolPtr owned_pool(const virt::Connection& connection, const std::string& name,
                         const std::string& expected_path) {
    auto pool = connection.pool(name);
    if (!pool) return pool;
    std::string path =
        virt::XmlDoc(virt::Connection::xml_of(pool.get())).value("/pool/target/path");
    namespace fs = std::filesystem;
    if (fs::path(path).lexically_normal() != fs::path(expected_path).lexically_normal())
        throw InfraError("storage pool `" + name + "` exists with path " + path +
                             ", not labctl's " + expected_path +
                             "; labctl does not touch it (remove or rename it)",
                         {}, "pool");
    return pool;
}

}  // namespace labctl::engine
