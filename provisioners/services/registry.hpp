// The one list of service types. Adding a type is one folder, services/<type>/, and one line
// in registry.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

const ServiceKind* find_kind(std::string_view type_name);
const ServiceKind& kind_of(const topo::Service& service);
std::vector<std::string> kind_names();
// kind_of(SERVICE).balancing(LAB, SERVICE).
std::optional<Balancing> balancing_of(const topo::Lab& lab, const topo::Service& service);
// Every registered kind, in registry order.
std::vector<const ServiceKind*> all_kinds();

}  // namespace labctl::services
