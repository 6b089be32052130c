// What of a lab exists in libvirt now, found by ownership: domains and networks by labctl's
// tag (the tag's lab name, not the object's name), the pool by name + recorded path.
#pragma once

#include <map>
#include <string>

#include "virt/connection.hpp"

namespace labctl::engine {

struct Inventory {
    std::map<std::string, virt::DomainPtr> domains;    // node name (from the tag) -> domain
    std::map<std::string, virt::NetworkPtr> networks;  // libvirt name -> network
};

Inventory take_inventory(const virt::Connection& connection, const std::string& lab);

// The pool NAME when it exists and its target path is EXPECTED_PATH; null when absent.
// Throws InfraError when a pool of that name exists elsewhere: it is not labctl's.
virt::PoolPtr owned_pool(const virt::Connection& connection, const std::string& name,
                         const std::string& expected_path);

}  // namespace labctl::engine
