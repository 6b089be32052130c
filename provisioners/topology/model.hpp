// The lab as the topology file describes it, after parsing and validation. Every element
// keeps its source position so later stages can still report `lab.toml:LINE:COL`.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "topology/impairment.hpp"
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

std::string to_string(Driver driver);
std::string to_string(NetworkMode mode);
std::optional<Driver> parse_driver(std::string_view text);

// [lab] forward = { "8443" = "lb:443" }: a node's TCP port published on the host running labctl.
struct PortForward {
    int host_port = 0;
    Pos pos;  // of the key (the host port)
    std::string node;
    int port = 0;
    Pos target_pos;  // of the value (NODE:PORT)
};

struct LabInfo {
    std::string name;
    Pos pos;
    std::string connect;  // empty: $LIBVIRT_DEFAULT_URI, then qemu:///system
    Pos connect_pos;
    Driver driver = Driver::automatic;
    std::vector<PortForward> forwards;  // file order
};

// [hosts.NAME] (SPEC.md section 6): one hypervisor a lab spans, reached through libvirt's own
// remote driver. A lab without [hosts] runs on one libvirt, as [lab] connect says.
struct Host {
    std::string name;
    Pos pos;
    std::string connect;  // libvirt URI, e.g. lxc+libssh://root@10.0.0.2/system?keyfile=...
    Pos connect_pos;
    std::optional<util::Ipv4> underlay;  // where the other hosts send VXLAN traffic
    Pos underlay_pos;
};

struct Network {
    std::string name;
    Pos pos;
    NetworkMode mode = NetworkMode::nat;
    util::Subnet subnet;
    Pos subnet_pos;
    // Set by `up` of a lab across hosts on a network that spans them (VXLAN): its NICs' MTU.
    // 0: the default.
    int mtu = 0;
};

struct Nic {
    std::string network;
    Pos pos;                            // position of the address value
    std::optional<util::Ipv4> address;  // nullopt: "dhcp"
    // Filled by the address plan: every NIC, dhcp or not, gets a reserved address and a
    // deterministic MAC, so addressing never depends on lease luck.
    util::Ipv4 planned;
    std::string mac;
};

// A node's impairment on one of its networks, as the lab file says it.
struct LinkImpairment {
    std::string network;
    Pos pos;  // of the network key inside `impair`
    Impairment values;
};

struct Node {
    std::string name;
    Pos pos;
    std::vector<Nic> nics;                // in the order of the keys in the file
    std::string image = "debian-12-lab";  // a base image name, or a path to a disk image
    Pos image_pos;                        // of the `image` value (node or [defaults])
    int memory_mib = 512;
    int vcpus = 1;
    std::string user = "lab";
    std::vector<LinkImpairment> impair;  // `impair = { NETWORK = {...} }`, in file order
    std::string host;                    // a [hosts] name; "": placed by free memory at `up`
    Pos host_pos;

    const Nic* nic(std::string_view network) const;
    // Where labctl reaches the node (SSH, probes): its first NIC's reserved address; "" with no
    // NIC.
    std::string address() const;
    // True when `image` is a path to the user's own (cloud) disk image, not the name of a base
    // image built by `labctl image build`: image names follow the name rule, paths never do.
    bool uses_cloud_image() const;
};

struct Duration {
    std::string text = "10s";  // as nginx writes it: 500ms, 5s, 1m
    double seconds = 10;
};

struct Service;

// A type's own keys, parsed. Each type defines its settings in provisioners/services/<type>/.
struct ServiceSettings {
    virtual ~ServiceSettings() = default;
};

// What the lab model asks of a service's type. The types live in provisioners/services/ and
// implement this, so the model never names one.
class ServiceTraits {
  public:
    virtual ~ServiceTraits() = default;
    // The `type` value in the lab file.
    virtual std::string_view name() const = 0;
    // The port clients use (an app's port, nginx's listen, a broker's STOMP port, ...).
    virtual int main_port(const Service& service) const = 0;
    // Instances SERVICE runs on each node it is on, on ports main_port, main_port + 1, ...
    virtual int instances_per_node(const Service&) const { return 1; }
    // The services SERVICE uses, named by its own keys (a balancer's backend) or by ${...}
    // references in its texts.
    virtual std::vector<std::string> used_services(const Service&) const { return {}; }
    // False when the type's own keys place it (MariaDB's primary and replicas fill `on`): `on`
    // may then be left out, and a node listed twice is the type's to judge.
    virtual bool placed_by_on() const { return true; }
    // ${SERVICE.FIELD} fields beyond address, port and name, with their value for SERVICE.
    virtual std::vector<std::pair<std::string, std::string>> reference_fields(
        const Service&) const {
        return {};
    }
    // What SERVICE needs of a libvirt LXC node it runs on beyond labctl's defaults: a
    // container engine inside the node needs the mknod capability (libvirt drops it) and its
    // data on a real filesystem, not on the node's overlayfs root.
    struct LxcNeeds {
        bool mknod = false;
        std::vector<std::string> host_dirs;  // absolute paths in the node, each a host directory
    };
    virtual LxcNeeds lxc_needs(const Service&, const Node&) const { return {}; }
};

struct Service {
    std::string name;
    Pos pos;
    const ServiceTraits* type = nullptr;  // set by the loader: never null in a loaded lab
    Pos type_pos;
    std::vector<Located<std::string>> on;  // nodes in order; for mysql: primary then replicas
    std::shared_ptr<const ServiceSettings> settings;  // the type's own keys
    // `provision = false`: labctl builds its nodes (packages come with the base image) but
    // leaves the service to the student; its built-in checks are expected, not required.
    bool provision = true;

    std::string type_name() const { return type ? std::string(type->name()) : std::string(); }
    // The port clients use: app port, nginx listen, broker STOMP port, mysql port.
    int main_port() const { return type->main_port(*this); }
    // The settings as the type's own struct (services/<type>/<type>_settings.hpp).
    template <class T>
    const T& settings_as() const {
        return dynamic_cast<const T&>(*settings);
    }
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

// [class]: one lab file for a whole course (SPEC.md section 5). Each student's copy of the lab
// gets its own subnets carved from POOL, in the same shape as the file's.
struct ClassInfo {
    util::Subnet pool;
    Pos pool_pos;
    std::string students;  // roster file (an `id` column), relative to the lab file; "" none
    Pos students_pos;
};

struct Lab {
    std::string file;      // path as the user gave it
    std::string base_dir;  // directory of the file, for upload paths
    LabInfo lab;
    std::vector<Host> hosts;  // in file order; empty: one libvirt
    std::vector<Network> networks;
    std::vector<Node> nodes;
    std::vector<Service> services;
    std::vector<DeclaredCheck> checks;  // in file order
    std::optional<ClassInfo> class_info;
    std::string student;  // set in a student's copy (labfile/class_copy.hpp): the student's id

    const Network* network(std::string_view name) const;
    const Host* host(std::string_view name) const;
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
