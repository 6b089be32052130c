#include "services/nginx/nginx_tls.hpp"

#include "remote/install.hpp"
#include "services/nginx/nginx_settings.hpp"
#include "services/role_support.hpp"
#include "store/lab_ca.hpp"

namespace labctl::services {

namespace {
constexpr const char* kTlsDir = "/etc/nginx/labctl-tls";
}

std::string nginx_tls_certificate_path(const topo::Service& service) {
    return std::string(kTlsDir) + "/" + service.name + ".crt";
}

std::string nginx_tls_key_path(const topo::Service& service) {
    return std::string(kTlsDir) + "/" + service.name + ".key";
}

util::x509::SubjectNames nginx_tls_names(const topo::Node& node) {
    util::x509::SubjectNames names;
    names.dns.push_back(node.name);
    for (const auto& nic : node.nics) names.ips.push_back(nic.planned.str());
    return names;
}

bool install_nginx_tls(const RoleTarget& target) {
    // A role driven without the lab's keys (tests of the config pipeline alone) has no TLS.
    const auto* settings = dynamic_cast<const NginxSettings*>(target.service.settings.get());
    if (!settings || !settings->tls) return false;
    // One certificate per balancer and node; the names are validated lab names, so the id
    // is a plain file name.
    auto issued = store::ensure_server_cert(target.state_dir, target.lab.lab.name,
                                            target.service.name + "." + target.node.name,
                                            target.node.name, nginx_tls_names(target.node));
    target.session.check({"install", "-d", "-m", "0700", "--", kTlsDir}, sudo_step("tls"));
    remote::InstallOptions key_options;
    key_options.mode = 0600;
    bool changed = remote::install_file(target.session, issued.key_pem,
                                        nginx_tls_key_path(target.service), key_options);
    changed |= remote::install_file(target.session, issued.cert_pem,
                                    nginx_tls_certificate_path(target.service));
    return changed;
}

}  // namespace labctl::services
