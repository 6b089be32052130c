// The lab as the topology file describes it, after parsing and validation. Every element
// keeps its source position so later stages can still report `lab.toml:LINE:COL`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "util/ipv4.hpp"

namespace labctl::topo {

struct Pos {
    int line = 0;
    int col = 0;
    friend auto operator<=>(const Pos&, const Pos&) = default;
};

template <class T>
struct Located {
    T value{};
    Pos pos;
};

enum class Driver { automatic, kvm, qemu, lxc };
enum class NetworkMode { host_only, nat };
enum class ServiceType { nginx, activemq, rabbitmq, app, mysql };
enum class Strategy { round_robin, least_conn, ip_hash, random };
enum class Protocol { http, grpc };

std::string to_string(Driver driver);
std::string to_string(NetworkMode mode);
std::string to_string(ServiceType type);
std::string to_string(Strategy strategy);
std::string to_string(Protocol protocol);
std::optional<Driver> parse_driver(std::string_view text);

struct LabInfo {
    std::string name;
    Pos pos;
    std::string connect;  // empty: $LIBVIRT_DEFAULT_URI, then qemu:///system
    Driver driver = Driver::automatic;
};

struct Network {
    std::string name;
    Pos pos;
    NetworkMode mode = NetworkMode::nat;
    util::Subnet subnet;
    Pos subnet_pos;
};

struct Nic {
    std::string network;
    Pos pos;                             // position of the address value
    std::optional<util::Ipv4> address;   // nullopt: "dhcp"
    // Filled by the address plan: every NIC, dhcp or not, gets a reserved address and a
    // deterministic MAC, so addressing never depends on lease luck.
    util::Ipv4 planned;
    std::string mac;
};

struct Node {
    std::string name;
    Pos pos;
    std::vector<Nic> nics;  // in the order of the keys in the file
    std::string image = "debian-12-lab";  // a base image name, or a path to a disk image
    Pos image_pos;                         // of the `image` value (node or [defaults])
    int memory_mib = 512;
    int vcpus = 1;
    std::string user = "lab";

    const Nic* nic(std::string_view network) const;
    // Where labctl reaches the node (SSH, probes): its first NIC's reserved address; "" with no NIC.
    std::string address() const;
    // True when `image` is a path to the user's own (cloud) disk image, not the name of a base
    // image built by `labctl image build`: image names follow the name rule, paths never do.
    bool uses_cloud_image() const;
};

struct Duration {
    std::string text = "10s";  // as nginx writes it: 500ms, 5s, 1m
    double seconds = 10;
};

struct NginxSettings {
    int listen = 80;
    Pos listen_pos;  // of the `listen` value; line 0 when defaulted
    Located<std::string> backend;
    Strategy strategy = Strategy::round_robin;
    std::vector<std::pair<Located<std::string>, int>> weights;  // node -> weight
    bool websocket = false;
    int max_fails = 1;
    Duration fail_timeout{"10s", 10};
    Duration connect_timeout{"1s", 1};

    int weight_of(std::string_view node) const;
};

struct BrokerSettings {
    int stomp_port = 61613;
    int console_port = 8161;  // activemq web console; rabbitmq management
    int native_port = 61616;  // openwire (activemq) or amqp (rabbitmq)
    Pos stomp_pos, console_pos, native_pos;  // of the values; line 0 when defaulted
    std::string user = "lab";
};

struct Upload {
    std::string local;   // relative to the lab file
    std::string remote;  // absolute path on the node
    Pos pos;
};

struct EnvVar {
    std::string name;
    std::string value;  // may hold ${...} references
    Pos pos;
};

struct AppSettings {
    int port = 8080;
    Pos port_pos;  // of the `port` value; line 0 when defaulted
    int instances = 1;
    std::string run;
    Pos run_pos;
    std::vector<Upload> uploads;
    std::vector<EnvVar> env;
    std::string health = "/health";
    Protocol protocol = Protocol::http;
};

struct MysqlSettings {
    Located<std::string> primary;
    std::vector<Located<std::string>> replicas;
    std::string database = "lab";
    int port = 3306;
    Pos port_pos;  // of the `port` value; line 0 when defaulted
};

using ServiceSettings = std::variant<NginxSettings, BrokerSettings, AppSettings, MysqlSettings>;

struct Service {
    std::string name;
    Pos pos;
    ServiceType type = ServiceType::app;
    Pos type_pos;
    std::vector<Located<std::string>> on;  // nodes in order; for mysql: primary then replicas
    ServiceSettings settings;

    const NginxSettings& nginx() const { return std::get<NginxSettings>(settings); }
    const BrokerSettings& broker() const { return std::get<BrokerSettings>(settings); }
    const AppSettings& app() const { return std::get<AppSettings>(settings); }
    const MysqlSettings& mysql() const { return std::get<MysqlSettings>(settings); }
    bool is_broker() const { return type == ServiceType::activemq || type == ServiceType::rabbitmq; }
    // The port clients use: app port, nginx listen, broker STOMP port, mysql port.
    int main_port() const;
};

// One running copy of a service on one node: an app instance, a broker, a balancer.
struct Instance {
    const Service* service = nullptr;
    const Node* node = nullptr;
    std::string name;  // chat-server1, or chat-server1-2 when instances > 1
    int port = 0;
    int index = 0;  // 0-based within the node
};

// A check the lab's author declares in [[checks]]: what an app does is for them to say, so
// labctl runs exactly this and never guesses an app's API.
enum class ProbeKind { http, tcp, command, relay, failover };
std::string to_string(ProbeKind kind);

struct DeclaredCheck {
    std::string name;
    Pos pos;  // of the [[checks]] header
    ProbeKind kind = ProbeKind::http;
    Located<std::string> target;  // http/tcp/relay/failover value: SERVICE, NODE:PORT or TARGET
    std::vector<std::string> command;   // argv of a command check
    Located<std::string> on;            // the node a command runs on
    std::string path = "/";             // http
    int expect_status = 200;            // http
    std::string expect_body;            // http: ECMAScript regex searched in the body; empty: none
    std::string expect_output;          // command: regex searched in stdout; empty: none
    std::string expect_output_sha256;   // command: lower-case hex of trimmed stdout; empty: none
    std::string post, read;             // relay
    std::string mode = "process";       // failover: process | poweroff | link-down
    int max_failed = 0;                 // failover
    std::optional<double> max_seconds;  // failover
    int points = 1;
};

struct Lab {
    std::string file;  // path as the user gave it
    std::string base_dir;  // directory of the file, for upload paths
    LabInfo lab;
    std::vector<Network> networks;
    std::vector<Node> nodes;
    std::vector<Service> services;
    std::vector<DeclaredCheck> checks;  // in file order

    const Network* network(std::string_view name) const;
    const Node* node(std::string_view name) const;
    const Service* service(std::string_view name) const;
    std::vector<Instance> instances(const Service& service) const;
    std::vector<Instance> instances_on(const Node& node) const;
    // The address of TO as seen from FROM: TO's address on the first of TO's networks that
    // FROM shares. nullopt when they share no network.
    std::optional<util::Ipv4> address_between(const Node& from, const Node& to) const;
    // Services in dependency order (dependencies first), then by file order.
    std::vector<const Service*> dependency_order() const;
    // Services that SERVICE depends on (LB backend, referenced services).
    std::vector<std::string> dependencies(const Service& service) const;
    bool service_exists(std::string_view name) const;
    // NODE's cloud image file: `image` resolved against the lab file's directory, absolute and
    // normalised. Only meaningful when node.uses_cloud_image().
    std::string image_file(const Node& node) const;
};

}  // namespace labctl::topo
