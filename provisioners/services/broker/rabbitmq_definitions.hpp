// The RabbitMQ definitions file that creates a lab's broker user at boot (rabbitmq.conf's
// load_definitions). It carries a salted SHA-256 hash of the password, never the password.
#pragma once

#include <string>

namespace labctl::services {

inline constexpr const char* rabbitmq_definitions_path = "/etc/rabbitmq/labctl-definitions.json";

// rabbit_password_hashing_sha256: base64(salt || sha256(salt || password)), 4-byte salt.
std::string rabbitmq_password_hash(const std::string& password, const std::string& salt);

// The definitions JSON: USER with all permissions on vhost "/". The salt is derived from the
// password, so the file is byte-identical run after run and an unchanged lab changes nothing.
std::string rabbitmq_definitions_json(const std::string& user, const std::string& password);

}  // namespace labctl::services
