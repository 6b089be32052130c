// Redis's own keys: one primary and replicas replicating from it (`replicaof`).
#pragma once

#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::services {

struct RedisSettings : topo::ServiceSettings {
    topo::Located<std::string> primary;
    std::vector<topo::Located<std::string>> replicas;
    int port = 6379;
    topo::Pos port_pos;  // of the `port` value; line 0 when defaulted
};

inline const RedisSettings& redis_settings(const topo::Service& service) {
    return service.settings_as<RedisSettings>();
}

}  // namespace labctl::services
