// The keys ActiveMQ and RabbitMQ share: brokers reached over STOMP.
#pragma once

#include <string>

#include "topology/model.hpp"

namespace labctl::services {

struct BrokerSettings : topo::ServiceSettings {
    int stomp_port = 61613;
    int console_port = 8161;                       // activemq web console; rabbitmq management
    int native_port = 61616;                       // openwire (activemq) or amqp (rabbitmq)
    topo::Pos stomp_pos, console_pos, native_pos;  // of the values; line 0 when defaulted
    std::string user = "lab";
};

inline bool is_broker(const topo::Service& service) {
    return dynamic_cast<const BrokerSettings*>(service.settings.get()) != nullptr;
}

inline const BrokerSettings& broker_settings(const topo::Service& service) {
    return service.settings_as<BrokerSettings>();
}

}  // namespace labctl::services
