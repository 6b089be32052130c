#include <array>

#include "kinds/kind.hpp"
#include "kinds/kinds.hpp"

namespace labctl::kinds {

namespace {
const std::vector<std::unique_ptr<ServiceKind>>& registry() {
    static const auto kinds = [] {
        std::vector<std::unique_ptr<ServiceKind>> all;
        all.push_back(make_nginx_kind());
        all.push_back(make_activemq_kind());
        all.push_back(make_rabbitmq_kind());
        all.push_back(make_app_kind());
        all.push_back(make_mysql_kind());
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

const ServiceKind& kind_of(topo::ServiceType type) {
    for (const auto& kind : registry())
        if (kind->type() == type) return *kind;
    throw std::logic_error("service type without a kind");
}

std::vector<std::string> kind_names() {
    std::vector<std::string> names;
    for (const auto& kind : registry()) names.emplace_back(kind->name());
    return names;
}

}  // namespace labctl::kinds
