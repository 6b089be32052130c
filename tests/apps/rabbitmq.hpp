// A private RabbitMQ (Debian's rabbitmq-server) with rabbitmq_stomp, on 127.0.0.1 only: its
// own node name, ports, data and log directories, and its own epmd on a private loopback port,
// so it neither meets nor disturbs any other Erlang node on the machine.
#pragma once

#include <fstream>

#include "stomp_broker.hpp"

namespace labctl::testing {

class RabbitMq : public StompBroker {
  public:
    // Starts the broker; ready() says when STOMP answers CONNECTED.
    explicit RabbitMq(const fs::path& dir)
        : StompBroker(dir / "rabbitmq", credentials()),
          amqp_port_(free_port()),
          dist_port_(free_port()),
          epmd_port_(free_port()) {
        util::make_dirs(dir_ / "home", 0700);
        util::make_dirs(dir_ / "mnesia");
        util::make_dirs(dir_ / "log");
        std::ofstream(dir_ / "enabled_plugins") << "[rabbitmq_stomp].\n";
        std::ofstream(dir_ / "rabbitmq.conf")
            << "listeners.tcp.default = 127.0.0.1:" << amqp_port_ << "\n"
            << "stomp.listeners.tcp.1 = 127.0.0.1:" << stomp_port_ << "\n"
            << "log.console = true\nlog.file = false\n";
        std::ofstream(dir_ / "rabbitmq-env.conf") << "";  // not /etc/rabbitmq/rabbitmq-env.conf
        start();
    }
    ~RabbitMq() { stop(); }

    void start() {
        std::string node = "labctltest" + std::to_string(::getpid()) + "@localhost";
        std::map<std::string, std::string> env{
            {"HOME", (dir_ / "home").string()},  // the Erlang cookie goes here
            {"RABBITMQ_NODENAME", node},
            {"RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"},
            {"RABBITMQ_NODE_PORT", std::to_string(amqp_port_)},
            {"RABBITMQ_DIST_PORT", std::to_string(dist_port_)},
            {"RABBITMQ_MNESIA_BASE", (dir_ / "mnesia").string()},
            {"RABBITMQ_LOG_BASE", (dir_ / "log").string()},
            {"RABBITMQ_ENABLED_PLUGINS_FILE", (dir_ / "enabled_plugins").string()},
            {"RABBITMQ_CONFIG_FILE", (dir_ / "rabbitmq.conf").string()},
            {"RABBITMQ_CONF_ENV_FILE", (dir_ / "rabbitmq-env.conf").string()},
            {"RABBITMQ_PID_FILE", (dir_ / "pid").string()},
            {"ERL_EPMD_ADDRESS", "127.0.0.1"},
            {"ERL_EPMD_PORT", std::to_string(epmd_port_)},
            {"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"},
        };
        // The script in /usr/lib/rabbitmq/bin runs the node as the calling user; the one in
        // /usr/sbin would switch to the rabbitmq user, who cannot write our temp dir.
        start_server({"/usr/lib/rabbitmq/bin/rabbitmq-server"}, env);
    }

    void stop() {
        stop_server();
        // epmd daemonizes out of the node's process group: stop ours by its private port.
        probe::Connection probe;
        if (probe.open("127.0.0.1", epmd_port_, probe::deadline_after(200ms)).ok()) {
            probe.close();
            std::map<std::string, std::string> env{{"ERL_EPMD_ADDRESS", "127.0.0.1"}};
            Child kill({"/usr/bin/epmd", "-port", std::to_string(epmd_port_), "-kill"}, env,
                       dir_ / "epmd-kill.log");
            eventually([&] { return !kill.running(); }, 5s);
        }
    }

    // guest/guest: RabbitMQ accepts it from loopback only, which is all a test uses.
    static probe::StompCredentials credentials() { return {"guest", "guest", "/"}; }

  private:
    std::uint16_t amqp_port_, dist_port_, epmd_port_;
};

}  // namespace labctl::testing
