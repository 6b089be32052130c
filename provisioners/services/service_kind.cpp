#include "services/service_kind.hpp"

#include <chrono>

#include "probe/socket.hpp"

namespace labctl::services {

Health ServiceKind::probe_health(const std::filesystem::path&,
                                 const topo::Instance& instance) const {
    auto probe =
        probe::tcp_port_open(instance.node->address(), static_cast<std::uint16_t>(instance.port),
                             std::chrono::seconds(2));
    return {probe.open, probe.open ? "port open" : probe.error};
}

}  // namespace labctl::services
