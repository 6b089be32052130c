// `status`: per node the domain's state (found by tag) and, filled in by the caller that can
// log in, what the guest really has: SSH (a full login with the pinned host key, so a changed
// key shows as `ssh: false` with the reason), each NIC's address as the guest reports it next
// to the planned one, and each service instance's health.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "topology/model.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

struct ServiceStatus {
    std::string service;
    std::string instance;
    bool healthy = false;
    std::string detail;
};

struct NicStatus {
    std::string network;
    std::string planned;
    std::optional<std::string> seen;  // as the guest reports it; nullopt: not observed
    std::string problem;              // a difference from the plan, "" when none
};

struct NodeStatus {
    std::string name;
    std::string host;             // a lab across hosts: the [hosts] name it runs on; else ""
    std::string state;            // running, shut off, ..., absent
    std::vector<NicStatus> nics;  // in the file's order
    bool probed = false;          // a login was tried
    bool ssh = false;
    std::string ssh_error;              // why not, when probed and !ssh
    std::optional<double> ssh_latency;  // seconds to log in, when it worked
    std::vector<ServiceStatus> services;

    // Every NIC observed with its planned address.
    bool addresses_as_planned() const;
};

struct LabStatus {
    std::string lab;
    std::string driver;
    std::vector<NodeStatus> nodes;
};

// Domain states and the planned NICs; nothing is observed yet.
LabStatus lab_status(const virt::Connection& connection, const topo::Lab& lab,
                     const std::string& driver);
// SPEC.md section 3: {"lab","driver","nodes":[{"name","state","addresses","ssh","services"}]};
// "addresses" holds only observed addresses (null where none was observed), "planned" the plan.
nlohmann::json status_json(const LabStatus& status);
void print_status_table(const LabStatus& status, std::ostream& out);

}  // namespace labctl::engine
