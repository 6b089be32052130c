// One service type behind one interface, found through the registry (services/registry.hpp)
// by its `type` name — the shape of containerlab's node kinds. Everything labctl knows about
// a type lives in its folder, services/<type>/: the kind reads its own keys, says which ports
// it takes on a node, checks what only it knows, renders its files, names the Debian packages
// the base image needs for it, and hands out the role that provisions it on a node.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "remote/pool.hpp"
#include "render/generated_file.hpp"
#include "render/template_set.hpp"
#include "services/role.hpp"
#include "topology/diagnostics.hpp"
#include "topology/model.hpp"
#include "topology/toml_reader.hpp"

namespace labctl::services {

// What the base image must hold for a type: Debian packages, and the units they ship that
// stay disabled until a lab asks for the service (the role starts them).
struct ImageNeeds {
    std::vector<std::string> packages;
    std::vector<std::string> disabled_units;
    // Shell commands run once on the built tree, "$1" being its root (mmdebstrap's
    // --customize-hook).
    std::vector<std::string> image_hooks = {};
};

// A file or directory from the lab's folder that a type copies onto each of its nodes.
struct Upload {
    std::string local;   // relative to the lab file
    std::string remote;  // absolute path on the node
    topo::Pos pos;
};

// The part of the Vagrant export's provision.sh that sets a service up on one node: a template
// (templates/<type>/vagrant.sh.mustache) and its fields.
struct VagrantPart {
    std::string template_name;
    render::Data item;
};

// What `labctl verify` hands a type's built-in checks: the lab, SSH sessions to its nodes and
// the lab's state (generated passwords). Checks prove what labctl provisioned, never an app's
// API (that is for the lab's [[checks]] to declare).
struct CheckContext {
    const topo::Lab& lab;
    remote::SessionPool& ssh;
    std::filesystem::path state_dir;
    int spread_requests = 60;  // requests a balancer's spread check sends per round
    int jobs = 0;              // --jobs: checks run at once; 0: each group's own default

    // How many of a group's checks run at once: --jobs when given, else UNBOUNDED.
    std::size_t width(std::size_t unbounded) const {
        return jobs > 0 ? static_cast<std::size_t>(jobs) : unbounded;
    }
};

struct CheckResult {
    std::string name;  // "replication db db1->db2"
    bool ok = false;
    double seconds = 0;
    std::string detail;  // why it failed, or what was seen
    // False for a check of a service left to the student (`provision = false`) that failed:
    // expected, not required, so it does not fail `verify`.
    bool required = true;
};

// One instance's own readiness ("HTTP 200", "CONNECTED ActiveMQ/5.17.2", or why not).
struct Health {
    bool healthy = false;
    std::string detail;
};

// What a balancer is (nginx in front of an app), so verify, kill and the load generator
// treat any balancing type alike.
struct Balancing {
    int port = 0;                        // where clients connect
    bool tls = false;                    // PORT is HTTPS with a certificate from the lab's CA
    std::string backend;                 // the service whose instances it spreads requests over
    bool http = true;                    // HTTP/1.1 requests through it (false: gRPC)
    std::string strategy;                // round_robin | least_conn | ip_hash | random
    std::map<std::string, int> weights;  // node -> weight; 1 when absent
    int max_fails = 1;                   // failures before a backend is taken out (0: never)
    topo::Duration fail_timeout;         // how long a failed backend stays out
    topo::Duration connect_timeout;      // per attempt to reach a backend
    // Settings that make a failover slow or impossible, in the balancer's own words; `kill`
    // prints them before it breaks anything.
    std::vector<std::string> failover_warnings;
};

// A line the lab diagram draws from one node to another (a balancer to its backends).
struct GraphEdge {
    std::string from_node, to_node, label;
};

struct PortUse {
    int port;
    std::string what;  // "chat instance chat-server1", "broker STOMP"
    topo::Pos pos;     // the key's value that sets the port; line 0 when it is a default
};

// topo::ServiceTraits is what the lab model asks (name, main port, instances, ...); the rest is
// for loading, rendering, provisioning and drawing.
class ServiceKind : public topo::ServiceTraits {
  public:
    // Reads the type's own keys (everything except `type` and `on`).
    virtual std::shared_ptr<topo::ServiceSettings> parse(topo::TomlReader& reader,
                                                         topo::Service& service) const = 0;
    // Called once every service of the lab is read, before validation: a type placed by
    // another service's nodes (a container service runs on its swarm's) fills SERVICE.on
    // here, reporting a reference it cannot follow.
    virtual void place(const topo::Lab&, topo::Service&, topo::Diagnostics&) const {}
    // Ports SERVICE takes on NODE.
    virtual std::vector<PortUse> ports(const topo::Lab& lab, const topo::Service& service,
                                       const topo::Node& node) const = 0;
    // Checks that need the whole lab (backend exists, weights name backend nodes, ...).
    virtual void validate(const topo::Lab& lab, const topo::Service& service,
                          topo::Diagnostics& diagnostics) const = 0;
    virtual std::vector<render::GeneratedFile> render(
        const topo::Lab& lab, const topo::Service& service,
        const render::TemplateSet& templates) const = 0;
    virtual ImageNeeds image_needs() const = 0;
    // What the lab diagram says SERVICE is on NODE beyond its type ("primary"), or "".
    virtual std::string graph_role(const topo::Service&, const topo::Node&) const { return ""; }
    // The traffic lines the diagram draws for SERVICE.
    virtual std::vector<GraphEdge> graph_edges(const topo::Lab&, const topo::Service&) const {
        return {};
    }
    // SERVICE as a balancer; nullopt for a type that does not balance.
    virtual std::optional<Balancing> balancing(const topo::Lab&, const topo::Service&) const {
        return std::nullopt;
    }
    // True when the instances are the user's own processes (an app): `kill` stops them one by
    // one, a relay check posts to them, a balancer may front them.
    virtual bool runs_user_instances() const { return false; }
    // The HTTP path that answers 200 when an instance is ready; "" when it does not speak
    // HTTP/1.1.
    virtual std::string http_health(const topo::Service&) const { return ""; }

    // INSTANCE's readiness, probed from labctl; by default its port accepting TCP.
    virtual Health probe_health(const std::filesystem::path& state_dir,
                                const topo::Instance& instance) const;
    // The label of that probe in verify's report ("health", "stomp", "port").
    virtual std::string health_label() const { return "port"; }
    // Checks of SERVICE as a whole (replication, relay, spread), after every instance's health.
    virtual std::vector<CheckResult> checks(CheckContext&, const topo::Service&) const {
        return {};
    }

    // Whether SERVICE serves a certificate from the lab's own CA (util/lab_ca), which
    // `labctl ca` then names.
    virtual bool uses_lab_ca(const topo::Service&) const { return false; }

    // The name of a generated password in the lab's state (store/secrets.hpp) that clients of
    // SERVICE log in with (a database's application user); "" when it has none.
    virtual std::string client_secret(const topo::Service&) const { return ""; }

    // Files from the lab's folder that SERVICE copies onto its nodes.
    virtual std::vector<Upload> uploads(const topo::Service&) const { return {}; }

    // The Vagrant export: the Debian packages SERVICE needs on a machine of its own (no base
    // image there), a password to generate into secrets.env (its key, or ""), whether NODE
    // must be provisioned before the others (serial `vagrant up`; labctl's own runner starts
    // such nodes first in their tier too), and the provision.sh
    // part for SERVICE on NODE, filled from ITEM (service name and secret_id set).
    virtual std::vector<std::string> vagrant_packages(const topo::Service&) const {
        return image_needs().packages;
    }
    virtual std::string vagrant_secret(const topo::Service&) const { return ""; }
    virtual bool provision_first(const topo::Service&, const topo::Node&) const { return false; }
    virtual VagrantPart vagrant_part(const topo::Lab& lab, const topo::Service& service,
                                     const topo::Node& node, render::Data item) const = 0;

    // A service that heals itself when a node is lost (a swarm reschedules its tasks): a
    // check, polled after LOST is powered off, that returns "" once SERVICE runs in full on
    // the other nodes, else what it still lacks. Empty when SERVICE does not heal.
    using RecoveryProbe = std::function<std::string(remote::SessionPool&)>;
    virtual RecoveryProbe recovery_probe(const topo::Lab&, const topo::Service&,
                                         const topo::Node& /*lost*/) const {
        return {};
    }

    // The provisioner of this type on a node.
    virtual std::unique_ptr<Role> make_role() const = 0;
};

}  // namespace labctl::services
