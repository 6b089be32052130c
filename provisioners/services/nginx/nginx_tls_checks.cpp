#include "services/nginx/nginx_tls_checks.hpp"

#include <chrono>

#include "probe/http.hpp"
#include "services/nginx/nginx_settings.hpp"
#include "store/lab_ca.hpp"
#include "util/stamp.hpp"

namespace labctl::services {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

CheckResult chain(const std::string& ca_file, const topo::Node& node, const topo::Service& service,
                  int port) {
    auto start = Clock::now();
    auto address = node.address();
    auto response = probe::http_get(address, static_cast<std::uint16_t>(port), "/", 5s, ca_file);
    return {"tls " + service.name + " on " + node.name + ":" + std::to_string(port), response.ok(),
            util::seconds_since(start),
            response.ok() ? "certificate for " + address + " chains to the lab CA (HTTP " +
                                std::to_string(response.status) + ")"
                          : response.error};
}

CheckResult redirect(const topo::Node& node, const topo::Service& service,
                     const NginxSettings& settings) {
    auto start = Clock::now();
    auto address = node.address();
    auto response = probe::http_get(address, static_cast<std::uint16_t>(settings.listen), "/", 5s);
    std::string wanted =
        "https://" + address +
        (settings.tls_listen == 443 ? "" : ":" + std::to_string(settings.tls_listen)) + "/";
    auto location = response.header("Location").value_or("");
    bool ok = response.status == 301 && location == wanted;
    std::string detail;
    if (!response.ok())
        detail = response.error;
    else
        detail = "HTTP " + std::to_string(response.status) +
                 (location.empty() ? "" : " to " + location) +
                 (ok ? "" : ", expected 301 to " + wanted);
    return {"redirect " + service.name + " on " + node.name + ":" + std::to_string(settings.listen),
            ok, util::seconds_since(start), detail};
}

}  // namespace

std::vector<CheckResult> nginx_tls_checks(CheckContext& context, const topo::Service& service) {
    const auto& settings = nginx_settings(service);
    auto ca_file = store::lab_ca_cert_path(context.state_dir).string();
    std::vector<CheckResult> results;
    for (const auto& on : service.on) {
        const auto* node = context.lab.node(on.value);
        if (!node) continue;
        results.push_back(chain(ca_file, *node, service, settings.tls_listen));
        results.push_back(redirect(*node, service, settings));
    }
    return results;
}

}  // namespace labctl::services
