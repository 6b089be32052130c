#include "engine/target.hpp"

#include <cstdlib>

#include "util/error.hpp"

namespace labctl::engine {

topo::Driver requested_driver(const std::string& driver_override, topo::Driver lab_driver) {
    if (driver_override.empty()) return lab_driver;
    auto driver = topo::parse_driver(driver_override);
    if (!driver)
        throw InputError("unknown driver `" + driver_override + "` (auto, kvm, qemu or lxc)");
    return *driver;
}

std::string choose_uri(const std::string& connect_override, const std::string& lab_connect,
                       topo::Driver driver) {
    if (!connect_override.empty()) return connect_override;
    if (!lab_connect.empty()) return lab_connect;
    if (driver == topo::Driver::lxc) return "lxc:///system";
    if (const char* env = std::getenv("LIBVIRT_DEFAULT_URI"); env && *env) return env;
    return "qemu:///system";
}

virt::DomainKind resolve_driver(topo::Driver driver, const virt::Connection& connection) {
    switch (driver) {
        case topo::Driver::kvm:
            return virt::DomainKind::kvm;
        case topo::Driver::qemu:
            return virt::DomainKind::qemu;
        case topo::Driver::lxc:
            return virt::DomainKind::lxc;
        case topo::Driver::automatic:
            break;
    }
    if (connection.uri().rfind("lxc:", 0) == 0) return virt::DomainKind::lxc;
    return connection.kvm_usable() ? virt::DomainKind::kvm : virt::DomainKind::qemu;
}

std::optional<virt::DomainKind> parse_kind(const std::string& text) {
    if (text == "qemu") return virt::DomainKind::qemu;
    if (text == "kvm") return virt::DomainKind::kvm;
    if (text == "lxc") return virt::DomainKind::lxc;
    return std::nullopt;
}

}  // namespace labctl::engine
