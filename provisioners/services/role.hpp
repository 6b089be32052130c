// The provisioner interface: one Role per service type, each taking a node from what it
// is to what the topology says, in the same steps (render -> compare -> stage -> validate
// -> atomic move -> reload/restart -> probe, services/file_install.hpp), each step reporting
// `changed` or `ok` the way Ansible does, so a second run over an unchanged lab reports 0
// changed.
#pragma once

#include <filesystem>

#include <string>
#include <string_view>
#include <vector>

#include "remote/session.hpp"
#include "render/generated_file.hpp"
#include "topology/model.hpp"

namespace labctl::services {

enum class Outcome { ok, changed };

struct StepResult {
    std::string step;  // compare, stage, validate, move, reload, probe, ...
    Outcome outcome = Outcome::ok;
    double seconds = 0;
    std::string detail;
};

struct RoleReport {
    std::string node;
    std::string service;
    std::vector<StepResult> steps;
    // `provision = false`: the role did not run; the service is the student's to set up.
    bool left_for_student = false;

    bool changed() const;
    int changed_steps() const;
};

struct RoleTarget {
    remote::Session& session;
    const topo::Lab& lab;
    const topo::Node& node;
    const topo::Service& service;
    std::vector<render::GeneratedFile> files;  // this service's rendered files for this node
    std::filesystem::path state_dir = {};      // the lab's state: generated secrets live here
};

class Role {
  public:
    virtual ~Role() = default;
    virtual std::string_view name() const = 0;
    // Converges TARGET; throws InfraError naming node and step when it cannot, after putting
    // back whatever it had already changed.
    virtual RoleReport apply(const RoleTarget& target) = 0;
};

}  // namespace labctl::services
