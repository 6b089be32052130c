// The roles that provision the two brokers on a node (their kinds hand them to the runner),
// and the checks their staged files go through.
#pragma once

#include <memory>

#include "services/file_install.hpp"
#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_activemq_role();
std::unique_ptr<Role> make_rabbitmq_role();

// activemq.xml well-formed (python3's XML parser; python3 is in the base image, xmllint is
// not). Whether Spring accepts its beans only the broker's start tells: the probe.
Validator activemq_xml_validator();
// The definitions JSON parses (python3's json).
Validator rabbitmq_json_validator();
// enabled_plugins is one Erlang term, a list, as rabbitmq reads it (erl's file:consult).
Validator rabbitmq_plugins_validator();
}  // namespace labctl::services
