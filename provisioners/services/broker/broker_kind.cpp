// Message brokers reached over STOMP: ActiveMQ and RabbitMQ share their keys and checks and
// differ only in their files and default ports.
#include "services/broker/broker_checks.hpp"
#include "services/broker/broker_roles.hpp"
#include "services/broker/broker_settings.hpp"
#include "services/common.hpp"
#include "services/registry.hpp"

namespace labctl::services {

namespace {

using namespace topo;

struct BrokerFlavor {
    std::string_view name;
    int console_port;
    int native_port;
    std::string_view native_key;    // openwire_port or amqp_port
    std::string_view native_label;  // OpenWire or AMQP
    ImageNeeds image;
    std::unique_ptr<Role> (*make_role)();
};

class BrokerKind final : public ServiceKind {
  public:
    explicit BrokerKind(BrokerFlavor flavor) : flavor_(flavor) {}
    std::string_view name() const override { return flavor_.name; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service&) const override {
        auto parsed = std::make_shared<BrokerSettings>();
        auto& settings = *parsed;
        settings.console_port = flavor_.console_port;
        settings.native_port = flavor_.native_port;
        read_port(reader, "stomp_port", settings.stomp_port, settings.stomp_pos);
        read_port(reader, "console_port", settings.console_port, settings.console_pos);
        read_port(reader, flavor_.native_key, settings.native_port, settings.native_pos);
        if (flavor_.name == "rabbitmq") {
            if (auto user = reader.string("user")) {
                if (!is_valid_name(*user) || *user == "guest")
                    reader.diagnostics().error(
                        reader.value_pos("user"),
                        "broker user `" + *user + "` must match " + name_rule +
                            " and must not be `guest` (RabbitMQ allows guest on loopback only)");
                else
                    settings.user = *user;
            }
        }
        return parsed;
    }

    int main_port(const Service& service) const override {
        return broker_settings(service).stomp_port;
    }
    std::vector<std::pair<std::string, std::string>> reference_fields(
        const Service& service) const override {
        return {{"stomp_port", std::to_string(broker_settings(service).stomp_port)}};
    }

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        const auto& settings = broker_settings(service);
        std::string label = std::string(flavor_.name) + " `" + service.name + "`";
        return {{settings.stomp_port, label + " STOMP", settings.stomp_pos},
                {settings.console_port, label + " console", settings.console_pos},
                {settings.native_port, label + " " + std::string(flavor_.native_label),
                 settings.native_pos}};
    }

    void validate(const Lab&, const Service&, Diagnostics&) const override {}

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = broker_settings(service);
        std::vector<render::GeneratedFile> files;
        for (const auto& on : service.on) {
            const Node* node = lab.node(on.value);
            if (!node) continue;
            auto data = header_data(lab, service, *node);
            data.set("stomp_port", std::to_string(settings.stomp_port));
            data.set("console_port", std::to_string(settings.console_port));
            data.set("native_port", std::to_string(settings.native_port));
            data.set("user", settings.user);
            if (flavor_.name == "activemq") {
                files.push_back(
                    {node->name, "/etc/activemq/instances-available/main/activemq.xml",
                     templates.render("activemq/activemq.xml.mustache", data, render::Escape::xml),
                     0644, service.name});
            } else {
                files.push_back({node->name, "/etc/rabbitmq/rabbitmq.conf",
                                 templates.render("rabbitmq/rabbitmq.conf.mustache", data), 0644,
                                 service.name});
                files.push_back({node->name, "/etc/rabbitmq/enabled_plugins",
                                 templates.render("rabbitmq/enabled_plugins.mustache", data), 0644,
                                 service.name});
            }
        }
        return files;
    }

    ImageNeeds image_needs() const override { return flavor_.image; }

    Health probe_health(const std::filesystem::path& state_dir,
                        const Instance& instance) const override {
        return broker_health(state_dir, instance);
    }
    std::string health_label() const override { return "stomp"; }
    std::vector<CheckResult> checks(CheckContext& context, const Service& service) const override {
        return broker_relay_checks(context, service);
    }

    std::string vagrant_secret(const Service& service) const override {
        return flavor_.name == "rabbitmq" ? "RABBITMQ_PASSWORD_" + secret_id(service.name) : "";
    }
    // Brokers first: the apps provisioned after them connect at start.
    bool provision_first(const Service&, const Node&) const override { return true; }
    VagrantPart vagrant_part(const Lab&, const Service& service, const Node&,
                             render::Data item) const override {
        if (flavor_.name == "rabbitmq") item.set("user", broker_settings(service).user);
        return {std::string(flavor_.name) + "/vagrant.sh.mustache", item};
    }
    std::unique_ptr<Role> make_role() const override { return flavor_.make_role(); }

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
    return std::make_unique<BrokerKind>(BrokerFlavor{
        "activemq",
        8161,
        61616,
        "openwire_port",
        "OpenWire",
        // ActiveMQ starts no broker without an enabled instance.
        {{"activemq"},
         {"activemq.service"},
         {"ln -sfn ../instances-available/main \"$1\"/etc/activemq/instances-enabled/main"}},
        make_activemq_role});
}

std::unique_ptr<ServiceKind> make_rabbitmq_kind() {
    return std::make_unique<BrokerKind>(BrokerFlavor{
        "rabbitmq",
        15672,
        5672,
        "amqp_port",
        "AMQP",
        // epmd is RabbitMQ's (Erlang's) port mapper; the role starts it with the broker.
        {{"rabbitmq-server"}, {"rabbitmq-server.service", "epmd.socket", "epmd.service"}},
        make_rabbitmq_role});
}

}  // namespace labctl::services
