// Which libvirt to talk to and which domain type to create.
//   URI: --connect, then [lab] connect, then $LIBVIRT_DEFAULT_URI, then qemu:///system;
//        driver lxc implies lxc:///system unless --connect or [lab] connect is given.
//   driver: --driver, then [lab] driver; auto = kvm when libvirt's domain capabilities say
//        kvm is usable, else qemu (TCG); auto on an lxc:// URI = lxc.
#pragma once

#include <optional>
#include <string>

#include "topology/model.hpp"
#include "virt/connection.hpp"
#include "virt/xml_builders.hpp"

namespace labctl::engine {

// DRIVER_OVERRIDE: the --driver text ("" when not given). Throws InputError for a bad name.
topo::Driver requested_driver(const std::string& driver_override, topo::Driver lab_driver);
std::string choose_uri(const std::string& connect_override, const std::string& lab_connect,
                       topo::Driver driver);
virt::DomainKind resolve_driver(topo::Driver driver, const virt::Connection& connection);
std::optional<virt::DomainKind> parse_kind(const std::string& text);

}  // namespace labctl::engine
