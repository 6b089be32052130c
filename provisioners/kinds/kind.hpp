// One service type (nginx, activemq, rabbitmq, app, mysql) behind one interface, found
// through a registry by its `type` name — the shape of containerlab's node kinds. A kind
// reads its own keys, says which ports it takes on a node, checks what only it knows, and
// renders its files. Provisioning and verification on guests plug into the same registry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "render/generated_file.hpp"
#include "render/template_set.hpp"
#include "topology/diagnostics.hpp"
#include "topology/model.hpp"
#include "topology/toml_reader.hpp"

namespace labctl::kinds {

struct PortUse {
    int port;
    std::string what;  // "chat instance chat-server1", "broker STOMP"
    topo::Pos pos;     // the key's value that sets the port; line 0 when it is a default
};

class ServiceKind {
public:
    virtual ~ServiceKind() = default;
    virtual topo::ServiceType type() const = 0;
    virtual std::string_view name() const = 0;
    // Reads the type's own keys (everything except `type` and `on`).
    virtual topo::ServiceSettings parse(topo::TomlReader& reader, topo::Service& service) const = 0;
    // Ports SERVICE takes on NODE.
    virtual std::vector<PortUse> ports(const topo::Lab& lab, const topo::Service& service,
                                       const topo::Node& node) const = 0;
    // Checks that need the whole lab (backend exists, weights name backend nodes, ...).
    virtual void validate(const topo::Lab& lab, const topo::Service& service,
                          topo::Diagnostics& diagnostics) const = 0;
    virtual std::vector<render::GeneratedFile> render(const topo::Lab& lab, const topo::Service& service,
                                                      const render::TemplateSet& templates) const = 0;
};

const ServiceKind* find_kind(std::string_view type_name);
const ServiceKind& kind_of(topo::ServiceType type);
std::vector<std::string> kind_names();

}  // namespace labctl::kinds
