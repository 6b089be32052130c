// A container service's own keys: an image built in the lab from a Dockerfile directory, run
// as a service of a swarm (services/swarm/) with replicas, placement, a published port, env
// and a health path.
#pragma once

#include <string>
#include <vector>

#include "services/common.hpp"
#include "topology/model.hpp"

namespace labctl::services {

struct ContainerSettings : topo::ServiceSettings {
    topo::Located<std::string> cluster;  // the swarm service
    topo::Located<std::string> build;    // a directory with a Dockerfile, relative to the lab file
    int replicas = 1;
    std::vector<topo::Located<std::string>> placement;  // swarm constraints
    int port = 8000;  // the app listens on it in its container; published on every swarm node
    topo::Pos port_pos;
    std::vector<EnvVar> env;
    // Services whose client password (ServiceKind::client_secret) the tasks get as a swarm
    // secret, the file /run/secrets/SERVICE_password: never in an env, argv or log.
    std::vector<topo::Located<std::string>> secrets;
    std::string health = "/health";
};

inline bool is_container(const topo::Service& service) {
    return dynamic_cast<const ContainerSettings*>(service.settings.get()) != nullptr;
}

inline const ContainerSettings& container_settings(const topo::Service& service) {
    return service.settings_as<ContainerSettings>();
}

// labctl's own image to build FROM (guests have no internet): Debian 12 minbase with the
// packages below, made by `labctl image build` into the base image at kBaseImageTarball and
// imported on a swarm's leader.
inline constexpr const char* kBaseImage = "labctl/debian:12";
inline constexpr const char* kBaseImageTarball = "/usr/share/labctl/docker/labctl-debian-12.tar.gz";
const std::vector<std::string>& base_image_packages();

// Names labctl gives SERVICE's objects in the swarm.
std::string container_network(const topo::Service& service);  // labctl-SERVICE (overlay)
std::string container_proxy(const topo::Service& service);    // SERVICE-proxy
// Where the proxy's nginx.conf lives on the leader (rendered, checked by nginx -t).
std::string container_proxy_conf(const topo::Service& service);

// A swarm placement constraint labctl passes on: `node.role == worker`,
// `node.hostname != m1`, `node.labels.zone == a`, ... (ATTRIBUTE OP VALUE, one per entry).
bool is_placement_constraint(const std::string& text);

}  // namespace labctl::services
