// nginx: the rendered config is staged and checked by `nginx -t` before it replaces the
// live file, then nginx reloads. Any failure after the live file changed puts the previous
// one back (and reloads again), so nginx keeps serving what it served before. Unchanged
// content means no upload and no reload.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "services/role.hpp"

namespace labctl::services {

struct NginxRoleSettings {
    std::string main_conf = "/etc/nginx/nginx.conf";
    std::vector<std::string> nginx = {"nginx"};  // the binary (tests add nothing else)
    std::vector<std::string> reload = {"systemctl", "reload", "nginx"};
    // Run before comparing (e.g. drop Debian's default site, enable the unit); empty: nothing.
    std::vector<std::string> prepare;
    // Run when nothing changed, so a stopped nginx still ends up serving; empty: nothing.
    std::vector<std::string> ensure_running;
};

// What a labctl node needs: Debian's default site gone (it would take port 80 as
// default_server), the unit enabled, and reload-or-restart (nginx ships stopped in the image).
NginxRoleSettings systemd_nginx_settings();

class NginxRole : public Role {
  public:
    explicit NginxRole(NginxRoleSettings settings = {}) : settings_(std::move(settings)) {}
    std::string_view name() const override { return "nginx"; }
    RoleReport apply(const RoleTarget& target) override;

  private:
    NginxRoleSettings settings_;
};

}  // namespace labctl::services
