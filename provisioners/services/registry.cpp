#include "services/registry.hpp"

#include <memory>
#include <stdexcept>

namespace labctl::services {

// Each type's factory is defined in its folder.
std::unique_ptr<ServiceKind> make_nginx_kind();
std::unique_ptr<ServiceKind> make_activemq_kind();
std::unique_ptr<ServiceKind> make_rabbitmq_kind();
std::unique_ptr<ServiceKind> make_app_kind();
std::unique_ptr<ServiceKind> make_mysql_kind();
std::unique_ptr<ServiceKind> make_redis_kind();
std::unique_ptr<ServiceKind> make_nfs_kind();
std::unique_ptr<ServiceKind> make_swarm_kind();
std::unique_ptr<ServiceKind> make_container_kind();

namespace {
const std::vector<std::unique_ptr<ServiceKind>>& registry() {
    static const auto kinds = [] {
        std::vector<std::unique_ptr<ServiceKind>> all;
        all.push_back(make_nginx_kind());
        all.push_back(make_activemq_kind());
        all.push_back(make_rabbitmq_kind());
        all.push_back(make_app_kind());
        all.push_back(make_mysql_kind());
        all.push_back(make_redis_kind());
        all.push_back(make_nfs_kind());
        all.push_back(make_swarm_kind());
        all.push_back(make_container_kind());
        return all;
    }();
    return kinds;
}
}  // namespace

const ServiceKind* find_kind(std::string_view type_name) {
    for (const auto& kind : registry())
        if (kind->name() == type_name) return kind.get();
    return nullptr;
}

const ServiceKind& kind_of(const topo::Service& service) {
    // Every loaded service's type comes from this registry (labfile/loader.cpp).
    const auto* kind = dynamic_cast<const ServiceKind*>(service.type);
    if (!kind) throw std::logic_error("service `" + service.name + "` has no registered type");
    return *kind;
}

std::optional<Balancing> balancing_of(const topo::Lab& lab, const topo::Service& service) {
    return kind_of(service).balancing(lab, service);
}

std::vector<std::string> kind_names() {
    std::vector<std::string> names;
    for (const auto& kind : registry()) names.emplace_back(kind->name());
    return names;
}

std::vector<const ServiceKind*> all_kinds() {
    std::vector<const ServiceKind*> kinds;
    for (const auto& kind : registry()) kinds.push_back(kind.get());
    return kinds;
}

}  // namespace labctl::services
