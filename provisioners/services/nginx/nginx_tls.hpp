// nginx with `tls = true`: where a balancer's certificate and key live on its node, and
// putting them there. The certificate comes from the lab's CA (util/lab_ca) and names the
// node and every address planned for it, so a client that reaches the balancer by any of
// them can check the name; the key travels over SFTP into a 0600 root file (never argv or
// a log).
#pragma once

#include <string>

#include "services/role.hpp"
#include "util/x509.hpp"

namespace labctl::services {

std::string nginx_tls_certificate_path(const topo::Service& service);
std::string nginx_tls_key_path(const topo::Service& service);

// The names NODE's certificate carries: its name and each NIC's planned address.
util::x509::SubjectNames nginx_tls_names(const topo::Node& node);

// Installs TARGET's certificate and key when the service has `tls = true` (before nginx -t,
// which opens them); true when either file changed, so nginx must reload.
bool install_nginx_tls(const RoleTarget& target);

}  // namespace labctl::services
