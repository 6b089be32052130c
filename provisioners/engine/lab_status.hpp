// `status`: per node the domain's state (found by tag), its addresses per network (reserved
// by the address plan, so they are known without asking the guest) and whether SSH answers,
// with the probe's latency. Services are filled in by the provisioning layer.
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

struct NodeStatus {
    std::string name;
    std::string state;                             // running, shut off, ..., absent
    std::map<std::string, std::string> addresses;  // network -> address
    bool ssh = false;
    std::optional<double> ssh_latency;  // seconds, when probed and answered
    bool probed = false;
    std::vector<ServiceStatus> services;  // filled by the caller that can probe services
};

struct LabStatus {
    std::string lab;
    std::string driver;
    std::vector<NodeStatus> nodes;
};

// PROBE: try SSH on each running node (never on the test driver: its guests are fake).
LabStatus lab_status(const virt::Connection& connection, const topo::Lab& lab,
                     const std::string& driver, bool probe);
// SPEC.md section 3: {"lab","driver","nodes":[{"name","state","addresses","ssh","services"}]}.
nlohmann::json status_json(const LabStatus& status);
void print_status_table(const LabStatus& status, std::ostream& out);

}  // namespace labctl::engine
