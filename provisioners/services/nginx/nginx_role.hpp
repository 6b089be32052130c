// nginx on the shared pipeline (services/file_install.hpp): its validator is `nginx -t` on a
// copy of the main config that reads the staged directories instead of the live ones, and its
// probe `nginx -t` on the live config once reloaded. Unchanged content means no upload and no
// reload.
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
    // When nothing changed, `start` runs unless `is_running` succeeds, so a stopped nginx
    // still ends up serving; empty: nothing.
    std::vector<std::string> is_running;
    std::vector<std::string> start;
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
