// Message brokers reached over STOMP: ActiveMQ and RabbitMQ share their keys and checks and
// differ only in their files and default ports.
#include "kinds/common.hpp"
#include "kinds/kinds.hpp"

namespace labctl::kinds {

namespace {

using namespace topo;

struct BrokerFlavor {
    ServiceType type;
    std::string_view name;
    int console_port;
    int native_port;
    std::string_view native_key;   // openwire_port or amqp_port
    std::string_view native_label; // OpenWire or AMQP
};

class BrokerKind final : public ServiceKind {
public:
    explicit BrokerKind(BrokerFlavor flavor) : flavor_(flavor) {}
    ServiceType type() const override { return flavor_.type; }
    std::string_view name() const override { return flavor_.name; }

    ServiceSettings parse(TomlReader& reader, Service&) const override {
        BrokerSettings settings;
        settings.console_port = flavor_.console_port;
        settings.native_port = flavor_.native_port;
        read_port(reader, "stomp_port", settings.stomp_port, settings.stomp_pos);
        read_port(reader, "console_port", settings.console_port, settings.console_pos);
        read_port(reader, flavor_.native_key, settings.native_port, settings.native_pos);
        if (flavor_.type == ServiceType::rabbitmq) {
            if (auto user = reader.string("user")) {
                if (!is_valid_name(*user) || *user == "guest")
                    reader.diagnostics().error(reader.value_pos("user"),
                                               "broker user `" + *user + "` must match " + name_rule +
                                                   " and must not be `guest` (RabbitMQ allows guest on loopback only)");
                else
                    settings.user = *user;
            }
        }
        return settings;
    }

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        const auto& settings = service.broker();
        std::string label = std::string(flavor_.name) + " `" + service.name + "`";
        return {{settings.stomp_port, label + " STOMP", settings.stomp_pos},
                {settings.console_port, label + " console", settings.console_pos},
                {settings.native_port, label + " " + std::string(flavor_.native_label),
                 settings.native_pos}};
    }

    void validate(const Lab&, const Service&, Diagnostics&) const override {}

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = service.broker();
        std::vector<render::GeneratedFile> files;
        for (const auto& on : service.on) {
            const Node* node = lab.node(on.value);
            if (!node) continue;
            auto data = header_data(lab, service, *node);
            data.set("stomp_port", std::to_string(settings.stomp_port));
            data.set("console_port", std::to_string(settings.console_port));
            data.set("native_port", std::to_string(settings.native_port));
            data.set("user", settings.user);
            if (flavor_.type == ServiceType::activemq) {
                files.push_back({node->name, "/etc/activemq/instances-available/main/activemq.xml",
                                 templates.render("activemq/activemq.xml.mustache", data, render::Escape::xml), 0644,
                                 service.name});
            } else {
                files.push_back({node->name, "/etc/rabbitmq/rabbitmq.conf",
                                 templates.render("rabbitmq/rabbitmq.conf.mustache", data), 0644, service.name});
                files.push_back({node->name, "/etc/rabbitmq/enabled_plugins",
                                 templates.render("rabbitmq/enabled_plugins.mustache", data), 0644, service.name});
            }
        }
        return files;
    }

private:
  static void read_port(TomlReader& reader, std::string_view key, int& port, Pos& pos) {
      if (auto value = reader.integer(key, port_range)) {
          port = static_cast<int>(*value);
          pos = reader.value_pos(key);
      }
  }

    BrokerFlavor flavor_;
};

}  // namespace

std::unique_ptr<ServiceKind> make_activemq_kind() {
    return std::make_unique<BrokerKind>(
        BrokerFlavor{ServiceType::activemq, "activemq", 8161, 61616, "openwire_port", "OpenWire"});
}

std::unique_ptr<ServiceKind> make_rabbitmq_kind() {
    return std::make_unique<BrokerKind>(BrokerFlavor{ServiceType::rabbitmq, "rabbitmq", 15672, 5672, "amqp_port", "AMQP"});
}

}  // namespace labctl::kinds
