// nginx's own keys: a load balancer in front of an app service, over HTTP or HTTPS.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "topology/model.hpp"

namespace labctl::services {

enum class Strategy { round_robin, least_conn, ip_hash, random };
std::string to_string(Strategy strategy);

struct NginxSettings : topo::ServiceSettings {
    int listen = 80;
    topo::Pos listen_pos;  // of the `listen` value; line 0 when defaulted
    topo::Located<std::string> backend;
    Strategy strategy = Strategy::round_robin;
    std::vector<std::pair<topo::Located<std::string>, int>> weights;  // node -> weight
    bool websocket = false;
    int max_fails = 1;
    topo::Duration fail_timeout{"10s", 10};
    topo::Duration connect_timeout{"1s", 1};
    // HTTPS on tls_listen with a certificate from the lab's CA; `listen` then redirects.
    bool tls = false;
    int tls_listen = 443;
    topo::Pos tls_listen_pos;  // of the `tls_listen` value; line 0 when defaulted

    int weight_of(std::string_view node) const {
        for (const auto& [name, weight] : weights)
            if (name.value == node) return weight;
        return 1;
    }
};

inline bool is_nginx(const topo::Service& service) {
    return dynamic_cast<const NginxSettings*>(service.settings.get()) != nullptr;
}

inline const NginxSettings& nginx_settings(const topo::Service& service) {
    return service.settings_as<NginxSettings>();
}

}  // namespace labctl::services
