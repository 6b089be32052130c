// An app's own keys: the user's program, uploaded files, one systemd unit per instance.
#pragma once

#include <string>
#include <vector>

#include "services/common.hpp"
#include "services/service_kind.hpp"
#include "topology/model.hpp"

namespace labctl::services {

enum class Protocol { http, grpc };
std::string to_string(Protocol protocol);

struct AppSettings : topo::ServiceSettings {
    int port = 8080;
    topo::Pos port_pos;  // of the `port` value; line 0 when defaulted
    int instances = 1;
    std::string run;
    topo::Pos run_pos;
    std::vector<Upload> uploads;
    std::vector<EnvVar> env;
    std::string health = "/health";
    Protocol protocol = Protocol::http;
};

inline bool is_app(const topo::Service& service) {
    return dynamic_cast<const AppSettings*>(service.settings.get()) != nullptr;
}

inline const AppSettings& app_settings(const topo::Service& service) {
    return service.settings_as<AppSettings>();
}

}  // namespace labctl::services
