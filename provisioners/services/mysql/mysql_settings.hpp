// MariaDB's own keys: one primary and replicas replicating from it.
#pragma once

#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::services {

struct MysqlSettings : topo::ServiceSettings {
    topo::Located<std::string> primary;
    std::vector<topo::Located<std::string>> replicas;
    std::string database = "lab";
    // An application user (all privileges on `database`, from any lab address) with a
    // generated password; "" when the lab declares none.
    topo::Located<std::string> user;
    int port = 3306;
    topo::Pos port_pos;  // of the `port` value; line 0 when defaulted
};

inline bool is_mysql(const topo::Service& service) {
    return dynamic_cast<const MysqlSettings*>(service.settings.get()) != nullptr;
}

inline const MysqlSettings& mysql_settings(const topo::Service& service) {
    return service.settings_as<MysqlSettings>();
}

// Where the application user's password lives in the lab's state (store/secrets.hpp).
inline std::string mysql_user_secret(const topo::Service& service) {
    return "mysql-user-" + service.name;
}

}  // namespace labctl::services
